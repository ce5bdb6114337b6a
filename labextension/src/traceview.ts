/**
 * A run record as its node-by-node trace: status and totals, a row per node run (input, result,
 * conditions met, time, tokens), the path of conditions, the results and any error.
 */
import { IRunRecord, STATUS_COLOURS, conditionPath, short, totals, traceRows } from './format';
import { colourOf } from './catalog';

function el<K extends keyof HTMLElementTagNameMap>(
  name: K,
  className?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(name);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text; // never markup: a saved notebook is untrusted
  }
  return node;
}

function status(value: string): HTMLElement {
  const badge = el('span', 'fnb-status', value);
  badge.style.color = STATUS_COLOURS[value] ?? 'inherit';
  return badge;
}

/** The trace of a run record as a DOM tree. */
export function runTrace(record: IRunRecord): HTMLElement {
  const root = el('div', 'fnb-run');
  root.dataset.testid = 'flow-trace';
  const head = el('div', 'fnb-run-head');
  head.appendChild(el('b', undefined, `run of ${record.workflow?.name ?? '?'} `));
  const badge = status(record.status);
  badge.dataset.testid = 'flow-trace-status';
  head.appendChild(badge);
  const sums = el('span', 'fnb-totals', ` · ${totals(record)}`);
  sums.dataset.testid = 'flow-trace-totals';
  head.appendChild(sums);
  root.appendChild(head);

  const table = el('table', 'fnb-trace');
  const header = el('tr');
  for (const title of ['#', 'node', 'status', 'input', 'result', 'condition', 'time', 'tokens']) {
    header.appendChild(el('th', undefined, title));
  }
  table.appendChild(el('thead')).appendChild(header);
  const body = table.appendChild(el('tbody'));
  for (const row of traceRows(record)) {
    const tr = el('tr', 'fnb-trace-row');
    tr.dataset.testid = 'flow-trace-row';
    tr.dataset.node = row.key;
    tr.appendChild(el('td', 'fnb-step', String(row.step + 1)));
    const node = el('td', 'fnb-trace-node');
    const dot = el('span', 'fnb-dot');
    dot.style.background = colourOf(row.type);
    node.append(dot, el('b', undefined, row.key));
    if (row.index) {
      node.append(`[${row.index}]`);
    }
    if (row.start) {
      node.append(el('span', 'fnb-flag', ' start'));
    }
    tr.appendChild(node);
    tr.appendChild(el('td')).appendChild(status(row.status));
    tr.appendChild(el('td', 'fnb-input', row.input));
    const result = el('td', 'fnb-result', row.result);
    if (row.status === 'FAILED' && row.message !== 'OK') {
      result.appendChild(el('div', 'fnb-error', short(row.message, 200)));
    }
    tr.appendChild(result);
    const conditions = el('td', 'fnb-conditions');
    conditions.dataset.testid = 'flow-trace-condition';
    for (const name of row.conditions) {
      conditions.appendChild(el('code', 'fnb-condition', name));
    }
    if (row.conditions.length === 0) {
      conditions.textContent = '—';
    }
    tr.appendChild(conditions);
    tr.appendChild(el('td', 'fnb-time', row.time));
    tr.appendChild(el('td', 'fnb-tokens', String(row.tokens)));
    body.appendChild(tr);
    if (row.streamed) {
      const streamed = el('tr', 'fnb-streamed');
      const cell = el('td');
      cell.colSpan = 8;
      const details = el('details');
      details.append(el('summary', undefined, `LLM reply of ${row.key}`), el('pre', undefined, row.streamed));
      cell.appendChild(details);
      streamed.appendChild(cell);
      body.appendChild(streamed);
    }
  }
  root.appendChild(table);

  const path = el('div', 'fnb-path', 'path: ');
  path.appendChild(el('code', undefined, conditionPath(record)));
  path.dataset.testid = 'flow-trace-path';
  root.appendChild(path);
  for (const request of record.waiting ?? []) {
    root.appendChild(el('div', 'fnb-waiting', `waiting: ${request.node_key ?? '?'} (${request.kind ?? ''})`));
  }
  if ((record.results ?? []).length > 0) {
    const results = el('div', 'fnb-results', 'results:');
    const list = results.appendChild(el('ul'));
    for (const value of record.results ?? []) {
      const item = list.appendChild(el('li', undefined, short(value, 400)));
      item.dataset.testid = 'flow-trace-result';
    }
    root.appendChild(results);
  }
  if (record.error) {
    root.appendChild(el('div', 'fnb-error', `error: ${record.error}`));
  }
  return root;
}
