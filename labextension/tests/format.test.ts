import { describe, expect, it } from 'vitest';

import { IRunRecord, conditionPath, plural, seconds, short, totals, traceRows } from '../src/format';

const record: IRunRecord = {
  id: 'run-1',
  workflow: { id: 'wf', name: 'support' },
  status: 'FINISHED',
  results: ['Sorry, we do not answer money related questions.'],
  total_time: 0.3948,
  total_tokens: 72,
  total_steps: 3,
  credits: 3,
  path: ['ask:text_received', 'money:boolean_true', 'refuse:human_feedback_text_ok'],
  nodes: {
    ask: {
      id: 'n1',
      key: 'ask',
      name: 'ask',
      type: { id: 1, display_name: 'Text - Input' },
      runs: [
        {
          id: 'r1',
          index: 0,
          step: 0,
          status: 'FINISHED',
          input: 'Can I get a refund?',
          result: 'Can I get a refund?',
          conditions: { met: [{ id: 20100, system_name: 'text_received' }] },
          start_node: true,
          elapsed: 0.0002,
          usage: { total_tokens: 0 }
        }
      ]
    },
    refuse: {
      id: 'n3',
      key: 'refuse',
      name: 'refuse',
      type: { id: 3, display_name: 'Text - Feedback' },
      runs: [
        {
          id: 'r3',
          index: 0,
          step: 2,
          status: 'FINISHED',
          input: 'Can I get a refund?',
          result: 'Sorry, we do not answer money related questions.',
          conditions: { met: [{ id: 20000, system_name: 'human_feedback_text_ok' }] },
          end_node: true,
          elapsed: 0.0001,
          usage: { total_tokens: 0 }
        }
      ]
    },
    money: {
      id: 'n2',
      key: 'money',
      name: 'money',
      type: { id: 5, display_name: 'AI - Boolean' },
      runs: [
        {
          id: 'r2',
          index: 0,
          step: 1,
          status: 'FINISHED',
          input: 'Can I get a refund?',
          result: 'Can I get a refund?',
          conditions: { met: [{ id: 1101, system_name: 'boolean_true' }] },
          elapsed: 0.3939,
          usage: { prompt_tokens: 71, completion_tokens: 1, total_tokens: 72 },
          tokens: 'true'
        }
      ]
    }
  }
};

describe('short (display.py)', () => {
  it('keeps short text and joins whitespace', () => {
    expect(short('a  b\n c')).toBe('a b c');
  });
  it('cuts long text with an ellipsis at the width', () => {
    expect(short('x'.repeat(200), 10)).toBe('x'.repeat(9) + '…');
  });
  it('writes other values as JSON', () => {
    expect(short({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(short(null)).toBe('null');
    expect(short(['billing'])).toBe('["billing"]');
  });
  it('counts characters, not UTF-16 units', () => {
    expect(short('😀'.repeat(5), 3)).toBe('😀😀…');
  });
});

describe('times and counts', () => {
  it('formats seconds by size', () => {
    expect(seconds(0.3948)).toBe('0.39s');
    expect(seconds(12.04)).toBe('12.0s');
    expect(seconds(125)).toBe('2m05s');
    expect(seconds(undefined)).toBe('0.00s');
  });
  it('pluralises', () => {
    expect(plural(1, 'token')).toBe('1 token');
    expect(plural(72, 'token')).toBe('72 tokens');
  });
});

describe('the trace of a run record', () => {
  it('has a row per node run in step order, with conditions, times and tokens', () => {
    const rows = traceRows(record);
    expect(rows.map(r => r.key)).toEqual(['ask', 'money', 'refuse']);
    expect(rows[1]).toMatchObject({
      status: 'FINISHED',
      conditions: ['boolean_true'],
      time: '0.39s',
      tokens: 72,
      streamed: 'true',
      type: 'AI - Boolean'
    });
    expect(rows[0]!.start).toBe(true);
    expect(rows[2]!.end).toBe(true);
  });
  it('sums the run up', () => {
    expect(totals(record)).toBe('0.39s · 3 node runs · 72 tokens · 3 credits');
    expect(conditionPath(record)).toBe(
      'ask:text_received → money:boolean_true → refuse:human_feedback_text_ok'
    );
    expect(conditionPath({ ...record, path: [] })).toBe('—');
  });
  it('shows a node that ran twice twice', () => {
    const twice: IRunRecord = {
      ...record,
      nodes: {
        ask: {
          ...record.nodes.ask!,
          runs: [record.nodes.ask!.runs[0]!, { ...record.nodes.ask!.runs[0]!, id: 'r9', index: 1, step: 5 }]
        }
      }
    };
    expect(traceRows(twice).map(r => [r.key, r.index, r.step])).toEqual([
      ['ask', 0, 0],
      ['ask', 1, 5]
    ]);
  });
});
