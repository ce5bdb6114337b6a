/**
 * A run record (`application/vnd.flow-nb.run+json`) as the rows of its trace: the formatting the run
 * view shows, as pure functions (the same texts as `flow_nb/notebook/display.py`).
 */

/** A condition as the record holds it. */
export interface IConditionRef {
  id: number | string;
  system_name: string;
  display_name?: string;
}

/** One run of one node, as `RunRecord.model_dump(mode="json")` writes it. */
export interface INodeRun {
  id: string;
  index: number;
  step: number;
  status: string;
  input?: unknown;
  result?: unknown;
  message?: string;
  conditions?: { met?: IConditionRef[]; defined?: IConditionRef[] };
  start_node?: boolean;
  end_node?: boolean;
  elapsed?: number;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
  credits?: number;
  tokens?: string;
  sources?: unknown[];
}

export interface INodeRecord {
  id: string;
  key: string;
  name: string;
  type: { id?: number | string; display_name?: string; system_name?: string };
  runs: INodeRun[];
}

export interface IRunRecord {
  id: string;
  workflow: { id?: string; name?: string };
  status: string;
  input?: Record<string, unknown>;
  results?: unknown[];
  output?: unknown;
  error?: string | null;
  total_time?: number;
  total_tokens?: number;
  total_steps?: number;
  credits?: number;
  nodes: Record<string, INodeRecord>;
  waiting?: Array<{ node_key?: string; kind?: string }>;
  path?: string[];
}

/** One row of the trace: a node run with everything a reader looks for. */
export interface ITraceRow {
  step: number;
  key: string;
  name: string;
  index: number;
  type: string | number | undefined;
  status: string;
  input: string;
  result: string;
  conditions: string[];
  time: string;
  tokens: number;
  streamed: string;
  start: boolean;
  end: boolean;
  message: string;
}

export const STATUS_COLOURS: Record<string, string> = {
  FINISHED: '#198754',
  FAILED: '#dc3545',
  STOPPED: '#6c757d',
  WAITING: '#fd7e14',
  RUNNING: '#0d6efd',
  PENDING: '#6c757d'
};

/** A value on one line, cut to `width` characters (display.py's `short`). */
export function short(value: unknown, width = 120): string {
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else if (value === undefined) {
    text = 'null';
  } else {
    text = JSON.stringify(value) ?? String(value);
  }
  text = text.split(/\s+/).filter(Boolean).join(' ');
  const chars = Array.from(text); // count characters, not UTF-16 units
  return chars.length <= width ? text : chars.slice(0, width - 1).join('') + '…';
}

/** Seconds as the run view shows them: `0.39s`, `12.0s`, `2m05s`. */
export function seconds(value: number | undefined): string {
  const s = value ?? 0;
  if (s < 10) {
    return `${s.toFixed(2)}s`;
  }
  if (s < 60) {
    return `${s.toFixed(1)}s`;
  }
  const minutes = Math.floor(s / 60);
  const rest = Math.round(s - minutes * 60);
  return `${minutes}m${String(rest).padStart(2, '0')}s`;
}

/** `1 node run`, `3 node runs`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The trace rows of a record, in the order the node runs started. */
export function traceRows(record: IRunRecord): ITraceRow[] {
  const rows: ITraceRow[] = [];
  for (const node of Object.values(record.nodes ?? {})) {
    for (const run of node.runs ?? []) {
      rows.push({
        step: run.step,
        key: node.key,
        name: node.name,
        index: run.index,
        type: node.type?.display_name ?? node.type?.id,
        status: run.status,
        input: short(run.input, 60),
        result: short(run.result, 80),
        conditions: (run.conditions?.met ?? []).map(c => c.system_name),
        time: seconds(run.elapsed),
        tokens: run.usage?.total_tokens ?? 0,
        streamed: run.tokens ?? '',
        start: Boolean(run.start_node),
        end: Boolean(run.end_node),
        message: run.message ?? 'OK'
      });
    }
  }
  return rows.sort((a, b) => a.step - b.step);
}

/** The record's totals: `0.39s · 3 node runs · 72 tokens · 3 credits`. */
export function totals(record: IRunRecord): string {
  return [
    seconds(record.total_time),
    plural(record.total_steps ?? 0, 'node run'),
    plural(record.total_tokens ?? 0, 'token'),
    plural(record.credits ?? 0, 'credit')
  ].join(' · ');
}

/** The path of conditions met: `ask:text_received → money:boolean_true`. */
export function conditionPath(record: IRunRecord): string {
  return (record.path ?? []).join(' → ') || '—';
}
