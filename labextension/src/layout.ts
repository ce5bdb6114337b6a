/**
 * Where a workflow's nodes and arrows go: the same layered layout as `flow_nb/notebook/layout.py`.
 *
 * Layers are the longest path from the start node(s), so a workflow reads left to right in the order it
 * runs; within a layer nodes are ordered by the mean place of their predecessors (one barycentre pass).
 * A node's own `position` (set in the graph widget) wins. Pure functions: the view draws what they return.
 */
import { colourOf, conditionLabel } from './catalog';

export const NODE_W = 170;
export const NODE_H = 54;
export const GAP_X = 90;
export const GAP_Y = 30;

/** The parts of a workflow export (`application/vnd.flow-nb.workflow+json`) the graph needs. */
export interface IExportNode {
  id: string;
  name: string;
  type: { id?: number | string; system_name?: string; display_name?: string } | string;
  start_node?: boolean;
  position?: { x: number; y: number } | null;
}

export interface IExportRelation {
  id?: string;
  source: string;
  target: string;
  condition: { id?: number | string; system_name: string; display_name?: string };
}

export interface IWorkflowExport {
  name?: string;
  description?: string;
  format?: number;
  nodes?: IExportNode[];
  relations?: IExportRelation[];
}

export interface IPoint {
  x: number;
  y: number;
}

/** A node as drawn: its box, colour and labels. */
export interface IBox {
  id: string;
  x: number;
  y: number;
  name: string;
  type: string;
  colour: string;
  start: boolean;
}

/** A relation as drawn: an SVG path and where its condition label sits. */
export interface IArrow {
  source: string;
  target: string;
  path: string;
  label: string;
  labelAt: IPoint;
}

/** Everything the graph view draws, in the SVG's own coordinates. */
export interface IGraph {
  boxes: IBox[];
  arrows: IArrow[];
  viewBox: { x: number; y: number; width: number; height: number };
}

/** The type key of an export node (`type.system_name`, or the bare string of older documents). */
export function typeKey(node: IExportNode): string {
  const type = node.type;
  if (typeof type === 'string') {
    return type;
  }
  return String(type.system_name ?? type.display_name ?? type.id ?? '');
}

function listMap(): Map<string, string[]> {
  return new Map<string, string[]>();
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}

/**
 * Edges to drop so the rest is acyclic: those that go back to a node fewer steps from the starts
 * (breadth-first), then, among nodes as many steps away, those that close a cycle (as layout.py does).
 */
export function backEdges(starts: string[], successors: Map<string, string[]>): Set<string> {
  const depth = new Map<string, number>();
  const queue: string[] = [];
  for (const root of starts) {
    if (!depth.has(root)) {
      depth.set(root, 0);
      queue.push(root);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const child of successors.get(node) ?? []) {
      if (!depth.has(child)) {
        depth.set(child, depth.get(node)! + 1);
        queue.push(child);
      }
    }
  }
  const back = new Set<string>();
  const onward = new Map<string, string[]>();
  for (const [node, level] of depth) {
    const kept: string[] = [];
    for (const child of successors.get(node) ?? []) {
      if (depth.get(child)! < level) {
        back.add(edge(node, child));
      } else {
        kept.push(child);
      }
    }
    onward.set(node, kept);
  }
  for (const cut of cycleEdges(starts, onward)) {
    back.add(cut);
  }
  return back;
}

/** Edges that close a cycle, found by a depth-first walk from the starts (iterative). */
function cycleEdges(starts: string[], successors: Map<string, string[]>): Set<string> {
  const back = new Set<string>();
  const state = new Map<string, number>(); // 1: on the walk's path, 2: done
  for (const root of starts) {
    if (state.has(root)) {
      continue;
    }
    const stack: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const children = successors.get(top.node) ?? [];
      if (top.next >= children.length) {
        state.set(top.node, 2);
        stack.pop();
        continue;
      }
      const child = children[top.next++]!;
      if (state.get(child) === 1) {
        back.add(edge(top.node, child));
      } else if (!state.has(child)) {
        state.set(child, 1);
        stack.push({ node: child, next: 0 });
      }
    }
  }
  return back;
}

function edge(source: string, target: string): string {
  return `${source}\u0000${target}`;
}

function topological(starts: string[], successors: Map<string, string[]>, back: Set<string>): string[] {
  const reachable = new Set<string>();
  const queue = [...starts];
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (reachable.has(node)) {
      continue;
    }
    reachable.add(node);
    queue.push(...(successors.get(node) ?? []));
  }
  const indegree = new Map<string, number>();
  for (const node of reachable) {
    for (const target of successors.get(node) ?? []) {
      if (!back.has(edge(node, target))) {
        indegree.set(target, (indegree.get(target) ?? 0) + 1);
      }
    }
  }
  const ready = starts.filter(n => (indegree.get(n) ?? 0) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const node = ready.shift()!;
    order.push(node);
    for (const target of successors.get(node) ?? []) {
      if (!back.has(edge(node, target))) {
        const left = (indegree.get(target) ?? 0) - 1;
        indegree.set(target, left);
        if (left === 0) {
          ready.push(target);
        }
      }
    }
  }
  return order;
}

/** Top-left corner of every node, by node id: layout.py's `layout`. */
export function layout(workflow: IWorkflowExport): Map<string, IPoint> {
  const nodes = workflow.nodes ?? [];
  const known = new Set(nodes.map(n => n.id));
  const successors = listMap();
  const predecessors = listMap();
  for (const relation of workflow.relations ?? []) {
    if (relation.source !== relation.target && known.has(relation.source) && known.has(relation.target)) {
      push(successors, relation.source, relation.target);
      push(predecessors, relation.target, relation.source);
    }
  }
  let starts = nodes.filter(n => n.start_node).map(n => n.id);
  if (starts.length === 0) {
    starts = nodes.filter(n => !predecessors.has(n.id)).map(n => n.id);
  }
  const back = backEdges(starts.length > 0 ? starts : nodes.slice(0, 1).map(n => n.id), successors);
  const layer = new Map<string, number>();
  for (const id of topological(starts, successors, back)) {
    // longest path over the forward edges
    if (!layer.has(id)) {
      layer.set(id, 0);
    }
    for (const target of successors.get(id) ?? []) {
      if (!back.has(edge(id, target))) {
        layer.set(target, Math.max(layer.get(target) ?? 0, layer.get(id)! + 1));
      }
    }
  }
  const deepest = Math.max(-1, ...layer.values());
  for (const node of nodes) {
    // nodes no start reaches go in a column after the rest
    if (!layer.has(node.id)) {
      layer.set(node.id, deepest + 1);
    }
  }
  const columns = new Map<number, string[]>();
  for (const node of nodes) {
    const depth = layer.get(node.id)!;
    const column = columns.get(depth);
    if (column) {
      column.push(node.id);
    } else {
      columns.set(depth, [node.id]);
    }
  }
  const order = new Map<string, number>();
  for (const depth of [...columns.keys()].sort((a, b) => a - b)) {
    const ids = columns.get(depth)!;
    const keys = new Map<string, number>();
    ids.forEach((id, index) => {
      const places = (predecessors.get(id) ?? []).filter(p => order.has(p)).map(p => order.get(p)!);
      keys.set(id, places.length > 0 ? places.reduce((a, b) => a + b, 0) / places.length : index);
    });
    ids.sort((a, b) => keys.get(a)! - keys.get(b)!); // stable, as Python's sort
    ids.forEach((id, place) => order.set(id, place));
  }
  const positions = new Map<string, IPoint>();
  for (const node of nodes) {
    if (node.position) {
      positions.set(node.id, { x: node.position.x, y: node.position.y });
    } else {
      positions.set(node.id, {
        x: layer.get(node.id)! * (NODE_W + GAP_X),
        y: order.get(node.id)! * (NODE_H + GAP_Y)
      });
    }
  }
  return positions;
}

/** One decimal at most, so paths read as layout.py writes them. */
function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** The arrow of one relation: layout.py's `svg` geometry (a curve forward, round below going back). */
export function arrowPath(
  from: IPoint,
  to: IPoint,
  bend: number,
  self: boolean
): { path: string; labelAt: IPoint } {
  if (self) {
    const cx = from.x + NODE_W / 2;
    const cy = from.y;
    return {
      path: `M${n(cx - 20)},${n(cy)} C${n(cx - 40)},${n(cy - 50)} ${n(cx + 40)},${n(cy - 50)} ${n(cx + 20)},${n(cy)}`,
      labelAt: { x: cx, y: cy - 42 }
    };
  }
  let sx = from.x + NODE_W;
  let sy = from.y + NODE_H / 2 + bend;
  let tx = to.x;
  let ty = to.y + NODE_H / 2 + bend;
  if (tx < sx) {
    // a relation back to an earlier column: go round below
    sx = from.x + NODE_W / 2;
    tx = to.x + NODE_W / 2;
    sy = from.y + NODE_H;
    ty = to.y + NODE_H;
    const low = Math.max(sy, ty) + 40;
    return {
      path: `M${n(sx)},${n(sy)} C${n(sx)},${n(low)} ${n(tx)},${n(low)} ${n(tx)},${n(ty)}`,
      labelAt: { x: (sx + tx) / 2, y: low - 10 }
    };
  }
  const mid = (sx + tx) / 2;
  return {
    path: `M${n(sx)},${n(sy)} C${n(mid)},${n(sy)} ${n(mid)},${n(ty)} ${n(tx)},${n(ty)}`,
    labelAt: { x: mid, y: (sy + ty) / 2 - 4 }
  };
}

/** Boxes, arrows and the view box of a workflow export. */
export function graph(workflow: IWorkflowExport): IGraph {
  const nodes = workflow.nodes ?? [];
  const places = layout(workflow);
  const boxes: IBox[] = nodes.map(node => {
    const at = places.get(node.id)!;
    const type = typeKey(node);
    return {
      id: node.id,
      x: at.x,
      y: at.y,
      name: node.name,
      type,
      colour: colourOf(type),
      start: Boolean(node.start_node)
    };
  });
  const seen = new Map<string, number>();
  const arrows: IArrow[] = [];
  for (const relation of workflow.relations ?? []) {
    const from = places.get(relation.source);
    const to = places.get(relation.target);
    if (!from || !to) {
      continue; // a relation to a node the document lacks: nothing to draw it to
    }
    const pair = edge(relation.source, relation.target);
    const bend = (seen.get(pair) ?? 0) * 14;
    seen.set(pair, (seen.get(pair) ?? 0) + 1);
    const { path, labelAt } = arrowPath(from, to, bend, relation.source === relation.target);
    arrows.push({
      source: relation.source,
      target: relation.target,
      path,
      label: conditionLabel(relation.condition.system_name),
      labelAt
    });
  }
  if (boxes.length === 0) {
    return { boxes, arrows, viewBox: { x: 0, y: 0, width: 200, height: 40 } };
  }
  const minX = Math.min(...boxes.map(b => b.x)) - 20;
  const minY = Math.min(...boxes.map(b => b.y)) - 20;
  const width = Math.max(...boxes.map(b => b.x)) - minX + NODE_W + 20;
  const height = Math.max(...boxes.map(b => b.y)) - minY + NODE_H + 30;
  return { boxes, arrows, viewBox: { x: minX, y: minY, width, height } };
}
