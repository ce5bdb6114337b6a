"""Where nodes go on a canvas, and a static SVG picture of a workflow.

Layers are the longest path from the start node(s), so a workflow reads left to right in the order it
runs; within a layer nodes are ordered by the mean place of their predecessors (one barycentre pass),
which keeps most arrows short. A node's own ``position`` (set in the graph widget) wins.
"""

from __future__ import annotations

from collections import defaultdict, deque
from html import escape

from ..model import Workflow

__all__ = ["FAMILY_COLOURS", "NODE_H", "NODE_W", "layout", "svg"]

NODE_W, NODE_H = 170.0, 54.0
GAP_X, GAP_Y = 90.0, 30.0
FAMILY_COLOURS = {"ai": "#6f42c1", "text": "#0d6efd", "http": "#fd7e14", "code": "#198754", "data": "#d63384"}


def layout(workflow: Workflow) -> dict[str, tuple[float, float]]:
    """Top-left corner of every node, by node id."""
    nodes = workflow.nodes
    successors: dict[str, list[str]] = defaultdict(list)
    predecessors: dict[str, list[str]] = defaultdict(list)
    for relation in workflow.relations:
        if relation.source != relation.target:
            successors[relation.source].append(relation.target)
            predecessors[relation.target].append(relation.source)
    starts = [n.id for n in nodes if n.start_node] or [n.id for n in nodes if not predecessors[n.id]]
    back = _back_edges(starts or [n.id for n in nodes[:1]], successors)
    layer: dict[str, int] = {}
    for node_id in _topological(starts, successors, back):  # longest path over the forward edges
        layer.setdefault(node_id, 0)
        for target in successors[node_id]:
            if (node_id, target) not in back:
                layer[target] = max(layer.get(target, 0), layer[node_id] + 1)
    deepest = max(layer.values(), default=-1)
    for node in nodes:  # nodes no start reaches go in a column after the rest
        layer.setdefault(node.id, deepest + 1)
    columns: dict[int, list[str]] = defaultdict(list)
    for node in nodes:
        columns[layer[node.id]].append(node.id)
    order: dict[str, float] = {}
    for depth in sorted(columns):
        ids = columns[depth]
        keys: dict[str, float] = {}
        for index, node_id in enumerate(ids):
            places = [order[p] for p in predecessors[node_id] if p in order]
            keys[node_id] = sum(places) / len(places) if places else float(index)
        ids.sort(key=keys.__getitem__)
        for place, node_id in enumerate(ids):
            order[node_id] = float(place)
    positions: dict[str, tuple[float, float]] = {}
    for node in nodes:
        if node.position is not None:
            positions[node.id] = (node.position.x, node.position.y)
        else:
            positions[node.id] = (layer[node.id] * (NODE_W + GAP_X), order[node.id] * (NODE_H + GAP_Y))
    return positions


def _back_edges(starts: list[str], successors: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Edges to drop so the rest is acyclic: those that go back to a node fewer steps from the starts
    (breadth-first), then, among nodes as many steps away, those that close a cycle. Depth-first alone
    picks back edges in whatever order it walks, and one unlucky pick can double a layout's depth."""
    depth: dict[str, int] = {}
    queue: deque[str] = deque()
    for root in starts:
        if root not in depth:
            depth[root] = 0
            queue.append(root)
    while queue:
        node = queue.popleft()
        for child in successors[node]:
            if child not in depth:
                depth[child] = depth[node] + 1
                queue.append(child)
    back = {(node, child) for node in depth for child in successors[node] if depth[child] < depth[node]}
    onward: dict[str, list[str]] = defaultdict(list)
    for node in depth:
        onward[node] = [child for child in successors[node] if (node, child) not in back]
    return back | _cycle_edges(starts, onward)


def _cycle_edges(starts: list[str], successors: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Edges that close a cycle, found by a depth-first walk from the starts (iterative: no recursion
    limit on long chains)."""
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1: on the walk's path, 2: done
    for root in starts:
        if root in state:
            continue
        stack = [(root, iter(successors[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(successors[child])))
    return back


def _topological(
    starts: list[str], successors: dict[str, list[str]], back: set[tuple[str, str]]
) -> list[str]:
    indegree: dict[str, int] = defaultdict(int)
    reachable: set[str] = set()
    queue = deque(starts)
    while queue:
        node = queue.popleft()
        if node in reachable:
            continue
        reachable.add(node)
        queue.extend(successors[node])
    for node in reachable:
        for target in successors[node]:
            if (node, target) not in back:
                indegree[target] += 1
    ready = deque(n for n in starts if indegree[n] == 0)
    order: list[str] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for target in successors[node]:
            if (node, target) not in back:
                indegree[target] -= 1
                if indegree[target] == 0:
                    ready.append(target)
    return order


def svg(workflow: Workflow, *, max_width: int = 900) -> str:
    """A static SVG picture: nodes coloured by type family, start nodes marked, arrows labelled."""
    if not workflow.nodes:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">'
            '<text x="8" y="24">(no nodes yet)</text></svg>'
        )
    places = layout(workflow)
    min_x = min(x for x, _ in places.values()) - 20
    min_y = min(y for _, y in places.values()) - 20
    width = max(x for x, _ in places.values()) - min_x + NODE_W + 20
    height = max(y for _, y in places.values()) - min_y + NODE_H + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{min_x:.0f} {min_y:.0f} {width:.0f} {height:.0f}" '
        f'width="{min(width, max_width):.0f}" role="img" aria-label="workflow {escape(workflow.name)}" '
        'style="font-family: sans-serif; font-size: 12px">',
        '<defs><marker id="flow-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for relation in workflow.relations:
        (x1, y1), (x2, y2) = places[relation.source], places[relation.target]
        pair = (relation.source, relation.target)
        bend = seen[pair] * 14
        seen[pair] += 1
        label = escape(
            relation.condition.aliases[0] if relation.condition.aliases else relation.condition.system_name
        )
        if relation.source == relation.target:
            cx, cy = x1 + NODE_W / 2, y1
            path = f"M{cx - 20},{cy} C{cx - 40},{cy - 50} {cx + 40},{cy - 50} {cx + 20},{cy}"
            lx, ly = cx, cy - 42
        else:
            sx, sy, tx, ty = x1 + NODE_W, y1 + NODE_H / 2 + bend, x2, y2 + NODE_H / 2 + bend
            if tx < sx:  # a relation back to an earlier column: go round below
                sx, tx = x1 + NODE_W / 2, x2 + NODE_W / 2
                sy, ty = y1 + NODE_H, y2 + NODE_H
                low = max(sy, ty) + 40
                path = f"M{sx},{sy} C{sx},{low} {tx},{low} {tx},{ty}"
                lx, ly = (sx + tx) / 2, low - 10
            else:
                mid = (sx + tx) / 2
                path = f"M{sx},{sy} C{mid},{sy} {mid},{ty} {tx},{ty}"
                lx, ly = mid, (sy + ty) / 2 - 4
        parts.append(
            f'<path d="{path}" fill="none" stroke="#555" stroke-width="1.3" marker-end="url(#flow-arrow)"/>'
        )
        parts.append(
            f'<text x="{lx:.0f}" y="{ly:.0f}" text-anchor="middle" fill="#333" '
            f'style="paint-order: stroke; stroke: white; stroke-width: 3px">{label}</text>'
        )
    for node in workflow.nodes:
        x, y = places[node.id]
        colour = FAMILY_COLOURS[node.node_type.family]
        stroke = ' stroke="#111" stroke-width="3"' if node.start_node else ""
        parts.append(
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="8" fill="{colour}"{stroke}/>'
        )
        mark = "▶ " if node.start_node else ""
        parts.append(
            f'<text x="{x + 10}" y="{y + 22}" fill="white" font-weight="bold">'
            f"{mark}{escape(node.name[:22])}</text>"
        )
        parts.append(
            f'<text x="{x + 10}" y="{y + 40}" fill="white" opacity="0.85">{escape(node.type)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
