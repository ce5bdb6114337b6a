/**
 * The workflow as a static SVG picture: nodes coloured by type family, start nodes marked, arrows
 * labelled with their conditions. The look of `flow_nb/notebook/layout.py`'s `svg`.
 */
import { IWorkflowExport, NODE_H, NODE_W, graph } from './layout';

const SVG_NS = 'http://www.w3.org/2000/svg';

let markers = 0;

function el<K extends keyof SVGElementTagNameMap>(
  name: K,
  attributes: Record<string, string | number>,
  text?: string
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) {
    node.setAttribute(key, String(value));
  }
  if (text !== undefined) {
    node.textContent = text; // never markup: a saved notebook is untrusted
  }
  return node;
}

/** Cut a label to `width` characters, as the Python picture does. */
function cut(text: string, width: number): string {
  return Array.from(text).slice(0, width).join('');
}

/** The SVG element of a workflow export. */
export function workflowSvg(workflow: IWorkflowExport, maxWidth = 900): SVGSVGElement {
  const drawn = graph(workflow);
  const box = drawn.viewBox;
  const svg = el('svg', {
    viewBox: `${Math.round(box.x)} ${Math.round(box.y)} ${Math.round(box.width)} ${Math.round(box.height)}`,
    width: Math.round(Math.min(box.width, maxWidth)),
    role: 'img',
    'aria-label': `workflow ${workflow.name ?? ''}`,
    class: 'fnb-graph',
    'data-testid': 'flow-graph'
  });
  if (drawn.boxes.length === 0) {
    svg.appendChild(el('text', { x: 8, y: 24 }, '(no nodes yet)'));
    return svg;
  }
  const marker = `fnb-arrow-${++markers}`; // ids are global in the page: one per picture
  const defs = el('defs', {});
  const head = el('marker', {
    id: marker,
    viewBox: '0 0 10 10',
    refX: 10,
    refY: 5,
    markerWidth: 7,
    markerHeight: 7,
    orient: 'auto-start-reverse'
  });
  head.appendChild(el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#555' }));
  defs.appendChild(head);
  svg.appendChild(defs);
  for (const arrow of drawn.arrows) {
    svg.appendChild(
      el('path', {
        d: arrow.path,
        fill: 'none',
        stroke: '#555',
        'stroke-width': 1.3,
        'marker-end': `url(#${marker})`,
        class: 'fnb-arrow'
      })
    );
    svg.appendChild(
      el(
        'text',
        {
          x: Math.round(arrow.labelAt.x),
          y: Math.round(arrow.labelAt.y),
          'text-anchor': 'middle',
          class: 'fnb-arrow-label',
          'data-testid': 'flow-graph-label'
        },
        arrow.label
      )
    );
  }
  for (const node of drawn.boxes) {
    const group = el('g', { class: 'fnb-node', 'data-testid': 'flow-graph-node', 'data-node': node.name });
    const rect = el('rect', {
      x: node.x,
      y: node.y,
      width: NODE_W,
      height: NODE_H,
      rx: 8,
      fill: node.colour
    });
    if (node.start) {
      rect.setAttribute('stroke', '#111');
      rect.setAttribute('stroke-width', '3');
      group.classList.add('fnb-start');
    }
    group.appendChild(rect);
    group.appendChild(
      el(
        'text',
        { x: node.x + 10, y: node.y + 22, class: 'fnb-node-name' },
        `${node.start ? '▶ ' : ''}${cut(node.name, 22)}`
      )
    );
    group.appendChild(el('text', { x: node.x + 10, y: node.y + 40, class: 'fnb-node-type' }, node.type));
    svg.appendChild(group);
  }
  return svg;
}
