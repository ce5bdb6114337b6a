/**
 * The `%%flow` cell syntax as tokens, for highlighting (see `flow_nb/notebook/cells.py` for the parser
 * these mirror). Pure functions over the cell's text: the editor plugin turns the tokens into CodeMirror
 * mark decorations (`fnb-<kind>` classes), and marks as invalid what can be told without a kernel: an
 * unknown node type, an option the type does not take, a condition the source node's type cannot meet
 * (when the source is declared in a `%%flow` cell of the same notebook), an unclosed Jinja2 tag.
 */
import { CATALOG, INodeType, LABEL_PREFIX, conditionNames, findType } from './catalog';

export type TokenKind =
  | 'magic'
  | 'name'
  | 'type'
  | 'keyword'
  | 'option'
  | 'value'
  | 'string'
  | 'node'
  | 'condition'
  | 'punct'
  | 'arrow'
  | 'comment'
  | 'text'
  | 'label'
  | 'fm-delim'
  | 'fm-key'
  | 'jinja-delim'
  | 'jinja'
  | 'jinja-keyword'
  | 'jinja-filter'
  | 'jinja-comment';

/** A span of the cell's text; `invalid` says what is wrong with it. */
export interface IToken {
  from: number;
  to: number;
  kind: TokenKind;
  invalid?: string;
}

/** What the notebook's `%%flow` cells declare about a node: its type key and, for a classification,
 * its labels. `type` is undefined when two cells disagree about it. */
export interface IKnownNode {
  type: string | undefined;
  labels?: string[];
}

/** Nodes declared in a notebook, by node key. */
export type NodeDirectory = Map<string, IKnownNode>;

/** A word of the `%%flow` line, shell-style, with where it stands in the cell. */
export interface IWord {
  text: string;
  from: number;
  to: number;
  quoted: boolean;
}

const MAGIC = /^%%flow(?=\s|$)/;
const ARROW = /\s*(->|→|=>)\s*/g;

/** A node's key: its name lower-cased with spaces as `_` (`key_of` in Python). */
export function keyOf(name: string): string {
  return name.trim().toLowerCase().split(/\s+/).filter(Boolean).join('_');
}

/** True for a cell that starts with the `%%flow` cell magic. */
export function isFlowCell(text: string): boolean {
  return MAGIC.test(text);
}

/** Shell-style words of `line` (quotes group, and are dropped from `text`), with their places. */
export function splitWords(line: string, offset = 0): IWord[] {
  const words: IWord[] = [];
  let i = 0;
  while (i < line.length) {
    if (/\s/.test(line[i]!)) {
      i++;
      continue;
    }
    const from = i;
    let text = '';
    let quoted = false;
    while (i < line.length && !/\s/.test(line[i]!)) {
      const c = line[i]!;
      if (c === '"' || c === "'") {
        quoted = true;
        const close = line.indexOf(c, i + 1);
        const end = close === -1 ? line.length : close;
        text += line.slice(i + 1, end);
        i = close === -1 ? line.length : close + 1;
      } else if (c === '\\' && i + 1 < line.length) {
        text += line[i + 1];
        i += 2;
      } else {
        text += c;
        i++;
      }
    }
    words.push({ text, from: offset + from, to: offset + i, quoted });
  }
  return words;
}

/** The body lines of a cell, each with its offset. */
function lines(text: string, start: number): Array<{ text: string; from: number }> {
  const out: Array<{ text: string; from: number }> = [];
  let from = start;
  for (const line of text.slice(start).split('\n')) {
    out.push({ text: line, from });
    from += line.length + 1;
  }
  return out;
}

function optionsOf(type: INodeType | undefined): Record<string, boolean> | undefined {
  return type ? { ...CATALOG.general_options, ...type.options } : undefined;
}

/** The option a flag names, as argparse reads it: exact, or an unambiguous prefix of a long option. */
export function matchOption(
  flag: string,
  options: Record<string, boolean>
): { flag: string; takesValue: boolean } | string {
  if (flag in options) {
    return { flag, takesValue: options[flag]! };
  }
  if (flag.startsWith('--')) {
    const hits = Object.keys(options).filter(o => o.startsWith('--') && o.startsWith(flag));
    if (hits.length === 1) {
      return { flag: hits[0]!, takesValue: options[hits[0]!]! };
    }
    if (hits.length > 1) {
      return `ambiguous option ${flag}: it could be ${hits.join(', ')}`;
    }
  }
  return `unknown option ${flag}`;
}

/** Why `condition` is not one the node `source` can meet, or undefined when it is (or cannot be told). */
export function checkCondition(
  source: string,
  condition: string,
  nodes: NodeDirectory
): string | undefined {
  const known = nodes.get(keyOf(source));
  const type = findType(known?.type);
  if (!known || !type) {
    return undefined; // declared elsewhere (another notebook, Python): the kernel will tell
  }
  const wanted = condition.trim().toLowerCase();
  if (!wanted) {
    return type.default_condition
      ? undefined
      : `a ${type.key} node needs a condition here: ${source}:${type.conditions[0]?.aliases[0] ?? 'CONDITION'}`;
  }
  const names = [...type.conditions, { ...CATALOG.error, aliases: [] }].flatMap(conditionNames);
  if (names.includes(wanted)) {
    return undefined;
  }
  if (type.key === 'classification' && wanted.startsWith(LABEL_PREFIX)) {
    const label = wanted.slice(LABEL_PREFIX.length).trim();
    if (!known.labels || known.labels.some(l => l.toLowerCase() === label)) {
      return undefined;
    }
    return `node ${source} (classification) has no label ${JSON.stringify(label)}; its labels are: ${known.labels.join(', ')}`;
  }
  const short = type.conditions.map(c => c.aliases[0] ?? c.system_name);
  if (type.key === 'classification') {
    short.push('label:<name>');
  }
  return `node ${source} (${type.key}) cannot meet the condition ${JSON.stringify(condition)}; its conditions are: ${[...short, 'error'].join(', ')}`;
}

/** Tokens of `source[:condition]` at `from`. */
function reference(text: string, from: number, nodes: NodeDirectory, checked: boolean): IToken[] {
  const colon = text.indexOf(':');
  const name = colon === -1 ? text : text.slice(0, colon);
  const tokens: IToken[] = [{ from, to: from + name.length, kind: 'node' }];
  const problem = checked ? checkCondition(name, colon === -1 ? '' : text.slice(colon + 1), nodes) : undefined;
  if (colon !== -1) {
    tokens.push({ from: from + colon, to: from + colon + 1, kind: 'punct' });
    if (colon + 1 < text.length) {
      tokens.push({ from: from + colon + 1, to: from + text.length, kind: 'condition' });
    }
  }
  if (problem) {
    const last = tokens[tokens.length - 1]!;
    last.invalid = problem;
  }
  return tokens;
}

/** Jinja2 tags in `text` (at `from`), with the plain text between them as `text` tokens. */
export function jinjaTokens(text: string, from: number): IToken[] {
  const tokens: IToken[] = [];
  const open = /\{\{|\{%|\{#/g;
  let at = 0;
  let match: RegExpExecArray | null;
  const plain = (a: number, b: number): void => {
    if (b > a) {
      tokens.push({ from: from + a, to: from + b, kind: 'text' });
    }
  };
  while ((match = open.exec(text)) !== null) {
    const start = match.index;
    const closer = match[0] === '{{' ? '}}' : match[0] === '{%' ? '%}' : '#}';
    const end = text.indexOf(closer, start + 2);
    plain(at, start);
    if (end === -1) {
      tokens.push({
        from: from + start,
        to: from + start + 2,
        kind: 'jinja-delim',
        invalid: `this ${match[0]} has no closing ${closer}`
      });
      at = start + 2;
      continue;
    }
    tokens.push({ from: from + start, to: from + start + 2, kind: 'jinja-delim' });
    const inner = text.slice(start + 2, end);
    const innerFrom = from + start + 2;
    if (match[0] === '{#') {
      if (inner.length > 0) {
        tokens.push({ from: innerFrom, to: innerFrom + inner.length, kind: 'jinja-comment' });
      }
    } else {
      tokens.push(...jinjaInner(inner, innerFrom, match[0] === '{%'));
    }
    tokens.push({ from: from + end, to: from + end + 2, kind: 'jinja-delim' });
    at = end + 2;
    open.lastIndex = at;
  }
  plain(at, text.length);
  return tokens;
}

function jinjaInner(inner: string, from: number, statement: boolean): IToken[] {
  const tokens: IToken[] = [];
  const word = /[A-Za-z_][\w.]*/g;
  let match: RegExpExecArray | null;
  let first = true;
  while ((match = word.exec(inner)) !== null) {
    const before = inner.slice(0, match.index).replace(/\s+$/, '');
    const kind: TokenKind =
      statement && first ? 'jinja-keyword' : before.endsWith('|') ? 'jinja-filter' : 'jinja';
    tokens.push({ from: from + match.index, to: from + match.index + match[0].length, kind });
    first = false;
  }
  return tokens;
}

/** The header of a node cell: name, type, options and their values, `--after` references. */
function nodeHeader(words: IWord[], nodes: NodeDirectory): { tokens: IToken[]; type: INodeType | undefined } {
  const tokens: IToken[] = [];
  const [name, typeWord, ...rest] = words;
  let type: INodeType | undefined;
  if (name) {
    tokens.push({ from: name.from, to: name.to, kind: name.text.startsWith('-') ? 'option' : 'name' });
  }
  if (typeWord) {
    type = findType(typeWord.text);
    const token: IToken = { from: typeWord.from, to: typeWord.to, kind: 'type' };
    if (!type) {
      token.invalid = `unknown node type ${JSON.stringify(typeWord.text)}; the node types are: ${CATALOG.types
        .map(t => t.key)
        .join(', ')}`;
    }
    tokens.push(token);
  }
  const options = optionsOf(type);
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (!word.text.startsWith('-') || word.quoted) {
      tokens.push({
        from: word.from,
        to: word.to,
        kind: 'value',
        invalid: `unexpected ${JSON.stringify(word.text)}: quote a value with spaces, or give it an option`
      });
      continue;
    }
    const eq = word.text.indexOf('=');
    const flag = eq === -1 ? word.text : word.text.slice(0, eq);
    const optionToken: IToken = { from: word.from, to: word.from + flag.length, kind: 'option' };
    tokens.push(optionToken);
    let takesValue = true;
    let resolved = flag;
    if (options) {
      const found = matchOption(flag, options);
      if (typeof found === 'string') {
        optionToken.invalid = `${found} for a ${type!.key} node; \`%flow help\` lists the options`;
      } else {
        takesValue = found.takesValue;
        resolved = found.flag;
      }
    } else {
      const general = matchOption(flag, CATALOG.general_options);
      if (typeof general !== 'string') {
        takesValue = general.takesValue;
        resolved = general.flag;
      }
    }
    let value: { text: string; from: number; to: number; quoted: boolean } | undefined;
    if (eq !== -1) {
      value = { text: word.text.slice(eq + 1), from: word.from + eq + 1, to: word.to, quoted: word.quoted };
    } else if (takesValue && rest[i + 1] && !/^-[^\d.]/.test(rest[i + 1]!.text)) {
      value = rest[++i]!;
    }
    if (!value) {
      continue;
    }
    if (resolved === '--after' || resolved === '-a') {
      const offset = value.quoted ? 1 : 0;
      tokens.push(...reference(value.text, value.from + offset, nodes, true));
    } else {
      tokens.push({ from: value.from, to: value.to, kind: value.quoted ? 'string' : 'value' });
    }
  }
  return { tokens, type };
}

/** The header of a relations cell: `relations [WORKFLOW] [--workflow W]`. */
function relationsHeader(words: IWord[]): IToken[] {
  const [keyword, ...rest] = words;
  const tokens: IToken[] = keyword ? [{ from: keyword.from, to: keyword.to, kind: 'keyword' }] : [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (word.text.startsWith('-') && !word.quoted) {
      const found = matchOption(word.text, { '--workflow': true, '-w': true });
      const token: IToken = { from: word.from, to: word.to, kind: 'option' };
      if (typeof found === 'string') {
        token.invalid = `${found}; a relations cell takes only a workflow name`;
      }
      tokens.push(token);
    } else {
      tokens.push({ from: word.from, to: word.to, kind: word.quoted ? 'string' : 'value' });
    }
  }
  return tokens;
}

/** The body of a relations cell: `source[:condition], … -> target, …` lines, `#` comments. */
function relationsBody(text: string, start: number, nodes: NodeDirectory): IToken[] {
  const tokens: IToken[] = [];
  for (const line of lines(text, start)) {
    const hash = line.text.indexOf('#');
    const code = hash === -1 ? line.text : line.text.slice(0, hash);
    if (hash !== -1) {
      tokens.push({ from: line.from + hash, to: line.from + line.text.length, kind: 'comment' });
    }
    if (!code.trim()) {
      continue;
    }
    const parts: Array<{ text: string; from: number }> = [];
    let at = 0;
    ARROW.lastIndex = 0;
    let match: RegExpExecArray | null;
    const arrows: IToken[] = [];
    while ((match = ARROW.exec(code)) !== null) {
      parts.push({ text: code.slice(at, match.index), from: at });
      const arrowAt = match.index + match[0].indexOf(match[1]!);
      arrows.push({ from: line.from + arrowAt, to: line.from + arrowAt + match[1]!.length, kind: 'arrow' });
      at = match.index + match[0].length;
    }
    parts.push({ text: code.slice(at), from: at });
    if (parts.length < 2 || parts.some(p => !p.text.trim())) {
      const lead = code.length - code.trimStart().length;
      tokens.push({
        from: line.from + lead,
        to: line.from + code.trimEnd().length,
        kind: 'text',
        invalid: `a relation reads \`source[:condition] -> target\`, not ${JSON.stringify(code.trim())}`
      });
      continue;
    }
    tokens.push(...arrows);
    parts.forEach((part, index) => {
      let itemAt = 0;
      for (const item of part.text.split(',')) {
        const lead = item.length - item.trimStart().length;
        const name = item.trim();
        const from = line.from + part.from + itemAt + lead;
        // a source's condition is checked; the last part's targets take none (Python ignores it)
        tokens.push(...reference(name, from, nodes, index < parts.length - 1));
        const comma = part.from + itemAt + item.length;
        if (comma < part.from + part.text.length) {
          tokens.push({ from: line.from + comma, to: line.from + comma + 1, kind: 'punct' });
        }
        itemAt += item.length + 1;
      }
    });
  }
  return tokens;
}

/** The body of a node cell: front matter, classification labels, Jinja2 tags, plain text. */
function nodeBody(text: string, start: number, type: INodeType | undefined): IToken[] {
  const tokens: IToken[] = [];
  const body = lines(text, start);
  let from = 0;
  if (body[0]?.text.trim() === '---') {
    const close = body.findIndex((l, i) => i > 0 && l.text.trim() === '---');
    if (close === -1) {
      tokens.push({
        from: body[0].from,
        to: body[0].from + body[0].text.length,
        kind: 'fm-delim',
        invalid: 'the front matter that starts with --- has no closing --- line'
      });
      from = 1;
    } else {
      for (const index of [0, close]) {
        tokens.push({ from: body[index]!.from, to: body[index]!.from + body[index]!.text.length, kind: 'fm-delim' });
      }
      for (const line of body.slice(1, close)) {
        const colon = line.text.indexOf(':');
        if (line.text.trimStart().startsWith('#')) {
          tokens.push({ from: line.from, to: line.from + line.text.length, kind: 'comment' });
        } else if (colon > 0) {
          tokens.push({ from: line.from, to: line.from + colon, kind: 'fm-key' });
          tokens.push({ from: line.from + colon, to: line.from + colon + 1, kind: 'punct' });
          tokens.push(...jinjaTokens(line.text.slice(colon + 1), line.from + colon + 1));
        } else if (line.text.trim()) {
          tokens.push({
            from: line.from,
            to: line.from + line.text.length,
            kind: 'text',
            invalid: `front matter lines are \`key: value\`, not ${JSON.stringify(line.text.trim())}`
          });
        }
      }
      from = close + 1;
    }
  }
  if (type && !type.templated) {
    return tokens; // custom code: Python, highlighted as Python
  }
  const rest = body.slice(from);
  if (rest.length === 0) {
    return tokens;
  }
  const restFrom = rest[0]!.from;
  const restText = text.slice(restFrom);
  const jinja = jinjaTokens(restText, restFrom);
  if (type?.key === 'classification') {
    // `label: context` lines: the label is a name, not template text
    for (const line of rest) {
      const colon = line.text.indexOf(':');
      if (line.text.trim() && !line.text.includes('{')) {
        const end = colon === -1 ? line.text.length : colon;
        const lead = line.text.length - line.text.trimStart().length;
        tokens.push({ from: line.from + lead, to: line.from + end, kind: 'label' });
      }
    }
    return [...tokens, ...jinja.filter(t => t.kind !== 'text' || !overlapsLabel(t, tokens))];
  }
  return [...tokens, ...jinja];
}

function overlapsLabel(token: IToken, tokens: IToken[]): boolean {
  return tokens.some(t => t.kind === 'label' && t.from < token.to && token.from < t.to);
}

/** The tokens of a `%%flow` cell, in document order, non-overlapping; empty for any other cell. */
export function tokenize(text: string, nodes: NodeDirectory = new Map()): IToken[] {
  const magic = MAGIC.exec(text);
  if (!magic) {
    return [];
  }
  const newline = text.indexOf('\n');
  const headerEnd = newline === -1 ? text.length : newline;
  const words = splitWords(text.slice(magic[0].length, headerEnd), magic[0].length);
  const tokens: IToken[] = [{ from: 0, to: magic[0].length, kind: 'magic' }];
  const bodyStart = newline === -1 ? text.length : newline + 1;
  if (words[0]?.text === 'relations' && !words[0].quoted) {
    tokens.push(...relationsHeader(words));
    if (newline !== -1) {
      tokens.push(...relationsBody(text, bodyStart, nodes));
    }
  } else {
    const own = directoryWith(nodes, text);
    const header = nodeHeader(words, own);
    tokens.push(...header.tokens);
    if (newline !== -1) {
      tokens.push(...nodeBody(text, bodyStart, header.type));
    }
  }
  return normalise(tokens, text.length);
}

/** Sorted, clipped to the text, empty and overlapping spans dropped (the first one wins). */
function normalise(tokens: IToken[], length: number): IToken[] {
  const sorted = tokens
    .map(t => ({ ...t, to: Math.min(t.to, length) }))
    .filter(t => t.to > t.from)
    .sort((a, b) => a.from - b.from || b.to - a.to);
  const out: IToken[] = [];
  let end = 0;
  for (const token of sorted) {
    if (token.from >= end) {
      out.push(token);
      end = token.to;
    }
  }
  return out;
}

/** What one cell declares: `[key, node]`, or undefined for a cell that declares no node. */
export function declaredNode(text: string): [string, IKnownNode] | undefined {
  const magic = MAGIC.exec(text);
  if (!magic) {
    return undefined;
  }
  const newline = text.indexOf('\n');
  const words = splitWords(text.slice(magic[0].length, newline === -1 ? text.length : newline));
  const [name, typeWord] = words;
  if (!name || !typeWord || name.text === 'relations' || name.text.startsWith('-')) {
    return undefined;
  }
  const type = findType(typeWord.text);
  const node: IKnownNode = { type: type?.key };
  if (type?.key === 'classification' && newline !== -1) {
    let body = text.slice(newline + 1).split('\n');
    if (body[0]?.trim() === '---') {
      const close = body.findIndex((l, i) => i > 0 && l.trim() === '---');
      if (close === -1 || body.slice(1, close).some(l => /^\s*labels\s*:/.test(l))) {
        return [keyOf(name.text), node]; // labels set in front matter: not told here
      }
      body = body.slice(close + 1);
    }
    node.labels = body
      .filter(l => l.trim())
      .map(l => l.split(':', 1)[0]!.trim())
      .filter(Boolean);
  }
  return [keyOf(name.text), node];
}

/** The nodes the `%%flow` cells of a notebook declare; a name two cells give different types is kept
 * with no type (nothing is marked against it). */
export function collectNodes(sources: Iterable<string>): NodeDirectory {
  const nodes: NodeDirectory = new Map();
  for (const source of sources) {
    const found = declaredNode(source);
    if (!found) {
      continue;
    }
    const [key, node] = found;
    const before = nodes.get(key);
    if (before && before.type !== node.type) {
      nodes.set(key, { type: undefined });
    } else {
      nodes.set(key, node);
    }
  }
  return nodes;
}

function directoryWith(nodes: NodeDirectory, text: string): NodeDirectory {
  const own = declaredNode(text);
  if (!own || nodes.has(own[0])) {
    return nodes;
  }
  return new Map([...nodes, own]);
}
