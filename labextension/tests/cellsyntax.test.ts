import { describe, expect, it } from 'vitest';

import {
  IToken,
  checkCondition,
  collectNodes,
  isFlowCell,
  jinjaTokens,
  keyOf,
  matchOption,
  splitWords,
  tokenize
} from '../src/cellsyntax';
import { CATALOG } from '../src/catalog';

/** `[kind, text]` of every token, invalid ones suffixed with `!`. */
function read(text: string, tokens: IToken[]): string[][] {
  return tokens.map(t => [t.kind + (t.invalid ? '!' : ''), text.slice(t.from, t.to)]);
}

function tokens(text: string, sources: string[] = []): string[][] {
  return read(text, tokenize(text, collectNodes(sources)));
}

const NOTEBOOK = [
  '%%flow ask text_input --workflow support --start\nHow can I help you today?',
  '%%flow money boolean --after ask\nIs the input related to money?',
  '%%flow topic classification --after money:false\nbilling: payments\nshipping: parcels'
];

describe('which cells are %%flow cells', () => {
  it('needs %%flow at the very start, as a whole word', () => {
    expect(isFlowCell('%%flow money boolean')).toBe(true);
    expect(isFlowCell('%%flow\n')).toBe(true);
    expect(isFlowCell('%%flowers')).toBe(false);
    expect(isFlowCell(' %%flow x y')).toBe(false);
    expect(isFlowCell('%flow run support "hi"')).toBe(false);
    expect(tokenize('print(1)')).toEqual([]);
  });
});

describe('the %%flow line of a node cell', () => {
  it('marks name, type, options, values and --after references', () => {
    const text = '%%flow refuse feedback --after money:true --no-auto-continue --description "a b"';
    expect(tokens(text, NOTEBOOK)).toEqual([
      ['magic', '%%flow'],
      ['name', 'refuse'],
      ['type', 'feedback'],
      ['option', '--after'],
      ['node', 'money'],
      ['punct', ':'],
      ['condition', 'true'],
      ['option', '--no-auto-continue'],
      ['option', '--description'],
      ['string', '"a b"']
    ]);
  });

  it('marks an unknown node type, naming the known ones', () => {
    const found = tokenize('%%flow x boolen --after ask');
    const type = found.find(t => t.kind === 'type')!;
    expect(type.invalid).toContain('unknown node type "boolen"');
    expect(type.invalid).toContain('boolean, classification');
  });

  it('accepts a type by display name or id, as get_type does', () => {
    expect(tokens('%%flow x "AI - Boolean"')[2]).toEqual(['type', '"AI - Boolean"']);
    expect(tokens('%%flow x 5')[2]).toEqual(['type', '5']);
  });

  it('marks options the type does not take, and accepts unambiguous prefixes as argparse does', () => {
    expect(tokens('%%flow x boolean --n-items 3')).toContainEqual(['option!', '--n-items']);
    expect(tokens('%%flow x generate --n-items 3')).toEqual([
      ['magic', '%%flow'],
      ['name', 'x'],
      ['type', 'generate'],
      ['option', '--n-items'],
      ['value', '3']
    ]);
    expect(tokens('%%flow x generate --n-it=3')).toContainEqual(['option', '--n-it']);
    expect(tokens('%%flow x generate --n-it=3')).toContainEqual(['value', '3']);
    expect(tokens('%%flow x boolean --no-undecided')).toContainEqual(['option', '--no-undecided']);
    expect(matchOption('--pass', CATALOG.general_options)).toMatch(/^ambiguous option --pass/);
  });

  it('marks a condition the source type cannot meet, when a cell declares the source', () => {
    const bad = tokenize('%%flow x feedback --after money:maybe', collectNodes(NOTEBOOK));
    const condition = bad.find(t => t.kind === 'condition')!;
    expect(condition.invalid).toBe(
      'node money (boolean) cannot meet the condition "maybe"; its conditions are: false, true, undecided, error'
    );
    for (const ok of ['true', 'boolean_true', '1101', 'TRUE', 'error', '90000']) {
      expect(tokens(`%%flow x feedback --after money:${ok}`, NOTEBOOK)).toContainEqual(['condition', ok]);
    }
  });

  it('asks for a condition after a boolean or classification source', () => {
    const found = tokenize('%%flow x feedback --after money', collectNodes(NOTEBOOK));
    expect(found.find(t => t.kind === 'node')!.invalid).toBe(
      'a boolean node needs a condition here: money:false'
    );
    expect(tokens('%%flow x feedback --after ask', NOTEBOOK)).toContainEqual(['node', 'ask']);
  });

  it('checks classification labels against the labels of the cell that declares them', () => {
    expect(tokens('%%flow x feedback --after topic:label:billing', NOTEBOOK)).toContainEqual([
      'condition',
      'label:billing'
    ]);
    expect(tokens('%%flow x feedback --after topic:label:refunds', NOTEBOOK)).toContainEqual([
      'condition!',
      'label:refunds'
    ]);
  });

  it('leaves a source no cell declares to the kernel', () => {
    expect(tokens('%%flow x feedback --after elsewhere:whatever')).toContainEqual(['condition', 'whatever']);
    expect(checkCondition('elsewhere', 'whatever', new Map())).toBeUndefined();
  });

  it('knows its own node for a self relation', () => {
    expect(tokens('%%flow loop boolean --after loop:sometimes')).toContainEqual(['condition!', 'sometimes']);
  });

  it('marks a stray word', () => {
    expect(tokens('%%flow x feedback stray')).toContainEqual(['value!', 'stray']);
  });
});

describe('the body of a node cell', () => {
  it('marks Jinja2 expressions, statements, filters and comments, and the text between', () => {
    const text = '%%flow reply feedback --after ask\n{% for item in result %}- {{ item | upper }}{% endfor %}{# note #}';
    expect(tokens(text).slice(5)).toEqual([
      ['jinja-delim', '{%'],
      ['jinja-keyword', 'for'],
      ['jinja', 'item'],
      ['jinja', 'in'],
      ['jinja', 'result'],
      ['jinja-delim', '%}'],
      ['text', '- '],
      ['jinja-delim', '{{'],
      ['jinja', 'item'],
      ['jinja-filter', 'upper'],
      ['jinja-delim', '}}'],
      ['jinja-delim', '{%'],
      ['jinja-keyword', 'endfor'],
      ['jinja-delim', '%}'],
      ['jinja-delim', '{#'],
      ['jinja-comment', ' note '],
      ['jinja-delim', '#}']
    ]);
  });

  it('marks an unclosed tag', () => {
    expect(read('Hi {{ name', jinjaTokens('Hi {{ name', 0))).toEqual([
      ['text', 'Hi '],
      ['jinja-delim!', '{{'],
      ['text', ' name']
    ]);
  });

  it('marks front matter keys and Jinja2 in their values', () => {
    const text = '%%flow hook http_output --after reply\n---\nheaders: {"X-Token": "{{workflow.token}}"}\n---\nhttps://x';
    expect(tokens(text).slice(5)).toEqual([
      ['fm-delim', '---'],
      ['fm-key', 'headers'],
      ['punct', ':'],
      ['text', ' {"X-Token": "'],
      ['jinja-delim', '{{'],
      ['jinja', 'workflow.token'],
      ['jinja-delim', '}}'],
      ['text', '"}'],
      ['fm-delim', '---'],
      ['text', 'https://x']
    ]);
  });

  it('marks classification labels', () => {
    const text = '%%flow topic classification --after money:false\nbilling: payments\nshipping: parcels';
    expect(tokens(text).filter(t => t[0] === 'label')).toEqual([
      ['label', 'billing'],
      ['label', 'shipping']
    ]);
  });

  it('leaves custom code to the Python highlighting', () => {
    expect(tokens('%%flow count code --after ideas\nreturn {"n": len(input)}')).toEqual([
      ['magic', '%%flow'],
      ['name', 'count'],
      ['type', 'code'],
      ['option', '--after'],
      ['node', 'ideas']
    ]);
  });
});

describe('relations cells', () => {
  it('marks the keyword, the workflow, arrows, nodes, conditions and comments', () => {
    const text = '%%flow relations support\nask -> money\nmoney:true, money:false → refuse, log   # note';
    expect(tokens(text, NOTEBOOK)).toEqual([
      ['magic', '%%flow'],
      ['keyword', 'relations'],
      ['value', 'support'],
      ['node', 'ask'],
      ['arrow', '->'],
      ['node', 'money'],
      ['node', 'money'],
      ['punct', ':'],
      ['condition', 'true'],
      ['punct', ','],
      ['node', 'money'],
      ['punct', ':'],
      ['condition', 'false'],
      ['arrow', '→'],
      ['node', 'refuse'],
      ['punct', ','],
      ['node', 'log'],
      ['comment', '# note']
    ]);
  });

  it('checks the condition of every source in a chain', () => {
    const text = '%%flow relations\na -> money:nope => c';
    expect(tokens(text, NOTEBOOK)).toContainEqual(['condition!', 'nope']);
  });

  it('marks a line that is not a relation', () => {
    expect(tokens('%%flow relations\nask money')).toContainEqual(['text!', 'ask money']);
    expect(tokens('%%flow relations\nask ->')).toContainEqual(['text!', 'ask ->']);
  });

  it('marks an option a relations cell does not take', () => {
    expect(tokens('%%flow relations --start')).toContainEqual(['option!', '--start']);
    expect(tokens('%%flow relations -w support')).toEqual([
      ['magic', '%%flow'],
      ['keyword', 'relations'],
      ['option', '-w'],
      ['value', 'support']
    ]);
  });
});

describe('helpers', () => {
  it('splits words shell-style with their places', () => {
    expect(splitWords(' a "b c" d\\ e', 10)).toEqual([
      { text: 'a', from: 11, to: 12, quoted: false },
      { text: 'b c', from: 13, to: 18, quoted: true },
      { text: 'd e', from: 19, to: 23, quoted: false }
    ]);
  });

  it('keys names as key_of does', () => {
    expect(keyOf(' My  Node ')).toBe('my_node');
  });

  it('collects the nodes a notebook declares; conflicting types are not trusted', () => {
    const nodes = collectNodes([...NOTEBOOK, '%%flow Money generate\nx', 'print(1)', '%%flow relations\na -> b']);
    expect(nodes.get('ask')).toEqual({ type: 'text_input' });
    expect(nodes.get('money')).toEqual({ type: undefined });
    expect(nodes.get('topic')).toEqual({ type: 'classification', labels: ['billing', 'shipping'] });
    expect(nodes.size).toBe(3);
  });

  it('returns non-overlapping tokens in order', () => {
    const text = '%%flow x feedback --after a:b\n{{ {{ }} }}';
    const found = tokenize(text);
    for (let i = 1; i < found.length; i++) {
      expect(found[i]!.from).toBeGreaterThanOrEqual(found[i - 1]!.to);
    }
  });
});
