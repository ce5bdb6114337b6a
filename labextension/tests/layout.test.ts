import { describe, expect, it } from 'vitest';

import fixtures from './fixtures/layout.json';
import { IWorkflowExport, arrowPath, backEdges, graph, layout, NODE_W } from '../src/layout';

interface ICase {
  export: IWorkflowExport;
  positions: Record<string, [number, number]>;
  arrows: Array<{ numbers: number[]; label: string }>;
  view_box: number[];
}

const cases = fixtures as unknown as Record<string, ICase>;

function numbers(path: string): number[] {
  return (path.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
}

describe('layout mirrors flow_nb/notebook/layout.py', () => {
  for (const [name, fixture] of Object.entries(cases)) {
    it(`places the nodes of "${name}" where Python does`, () => {
      const places = layout(fixture.export);
      const got: Record<string, [number, number]> = {};
      for (const [id, at] of places) {
        got[id] = [at.x, at.y];
      }
      expect(got).toEqual(fixture.positions);
    });

    it(`draws the arrows of "${name}" as Python does, labelled with short condition names`, () => {
      const drawn = graph(fixture.export);
      expect(drawn.arrows.map(a => ({ numbers: numbers(a.path), label: a.label }))).toEqual(fixture.arrows);
      const box = drawn.viewBox;
      expect([box.x, box.y, box.width, box.height].map(Math.round)).toEqual(fixture.view_box);
    });
  }

  it('colours nodes by family and marks start nodes', () => {
    const drawn = graph(cases.support!.export);
    const byName = Object.fromEntries(drawn.boxes.map(b => [b.name, b]));
    expect(byName.ask!.start).toBe(true);
    expect(byName.money!.start).toBe(false);
    expect(byName.ask!.colour).toBe('#0d6efd'); // text
    expect(byName.money!.colour).toBe('#6f42c1'); // ai
    expect(byName.ask!.type).toBe('text_input');
  });

  it('draws an empty workflow as an empty picture', () => {
    expect(graph({ name: 'empty', nodes: [], relations: [] })).toEqual({
      boxes: [],
      arrows: [],
      viewBox: { x: 0, y: 0, width: 200, height: 40 }
    });
  });

  it('skips relations to nodes the document lacks, and colours unknown types grey', () => {
    const drawn = graph({
      nodes: [{ id: 'a', name: 'a', type: { system_name: 'someone_elses' }, start_node: true }],
      relations: [{ source: 'a', target: 'ghost', condition: { system_name: 'error' } }]
    });
    expect(drawn.arrows).toEqual([]);
    expect(drawn.boxes[0]!.colour).toBe('#6c757d');
  });

  it('finds the edges that close cycles', () => {
    const successors = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']]
    ]);
    expect([...backEdges(['a'], successors)]).toEqual(['c\u0000a']);
  });

  it('loops a self relation above its node', () => {
    const { path, labelAt } = arrowPath({ x: 0, y: 0 }, { x: 0, y: 0 }, 0, true);
    expect(path).toBe(`M${NODE_W / 2 - 20},0 C${NODE_W / 2 - 40},-50 ${NODE_W / 2 + 40},-50 ${NODE_W / 2 + 20},0`);
    expect(labelAt).toEqual({ x: NODE_W / 2, y: -42 });
  });
});
