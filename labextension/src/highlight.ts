/**
 * CodeMirror 6 highlighting of `%%flow` cells: a view plugin that marks the tokens of
 * `cellsyntax.tokenize` with `fnb-<kind>` classes, and invalid ones with `fnb-invalid` and a title that
 * says what is wrong. Cells that do not start with `%%flow` get no decorations at all.
 */
import { Extension, RangeSetBuilder } from '@codemirror/state';
import { Decoration, DecorationSet, EditorView, ViewPlugin, ViewUpdate } from '@codemirror/view';

import { NodeDirectory, isFlowCell, tokenize } from './cellsyntax';

/** Where the plugin asks which nodes the rest of the notebook declares (for checking conditions). */
export type DirectoryProvider = (view: EditorView) => NodeDirectory;

const cache = new Map<string, Decoration>();

function mark(kind: string, invalid: string | undefined): Decoration {
  const key = `${kind}\u0000${invalid ?? ''}`;
  let decoration = cache.get(key);
  if (!decoration) {
    const spec: { class: string; attributes?: Record<string, string> } = {
      class: invalid ? `fnb-${kind} fnb-invalid` : `fnb-${kind}`
    };
    if (invalid) {
      spec.attributes = { title: invalid };
    }
    decoration = Decoration.mark(spec);
    if (cache.size < 2000) {
      cache.set(key, decoration);
    }
  }
  return decoration;
}

/** The decorations of a document: one mark per token. */
export function decorations(text: string, nodes: NodeDirectory): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  for (const token of tokenize(text, nodes)) {
    builder.add(token.from, token.to, mark(token.kind, token.invalid));
  }
  return builder.finish();
}

/** The editor extension: highlighting for `%%flow` cells, conditions checked against `directory`. */
export function flowCellHighlighting(directory: DirectoryProvider): Extension {
  const plugin = ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      private _signature: string;

      constructor(view: EditorView) {
        const { decorations: found, signature } = this._compute(view);
        this.decorations = found;
        this._signature = signature;
      }

      update(update: ViewUpdate): void {
        // the rest of the notebook may have changed too: recompute when focus or text changes
        if (update.docChanged || update.focusChanged || update.viewportChanged) {
          const { decorations: found, signature } = this._compute(update.view);
          if (update.docChanged || signature !== this._signature) {
            this.decorations = found;
            this._signature = signature;
          }
        }
      }

      private _compute(view: EditorView): { decorations: DecorationSet; signature: string } {
        const text = view.state.doc.toString();
        if (!isFlowCell(text)) {
          return { decorations: Decoration.none, signature: '' };
        }
        const nodes = directory(view);
        const signature = JSON.stringify([...nodes]);
        return { decorations: decorations(text, nodes), signature };
      }
    },
    { decorations: v => v.decorations }
  );
  // the class scopes the token colours (and the plain-text reset of the body) to %%flow cells
  const marked = EditorView.editorAttributes.of(view =>
    isFlowCell(view.state.doc.sliceString(0, 8)) ? { class: 'fnb-flow-cell' } : null
  );
  return [plugin, marked];
}
