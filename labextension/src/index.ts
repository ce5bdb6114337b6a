/**
 * flow_nb's JupyterLab extension: `%%flow` cells highlighted in every editor (this plugin), and saved
 * workflows and runs rendered without a kernel (the MIME renderers in `mime.ts`, registered by
 * `package.json`'s `jupyterlab.mimeExtension`).
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { EditorExtensionRegistry, IEditorExtensionRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';
import { EditorView } from '@codemirror/view';

import { NodeDirectory, collectNodes } from './cellsyntax';
import { flowCellHighlighting } from './highlight';

/** The nodes declared by the `%%flow` cells of the notebook that holds `view`, if any. */
function notebookDirectory(tracker: INotebookTracker | null): (view: EditorView) => NodeDirectory {
  return (view: EditorView) => {
    const host = view.dom.closest('.jp-Notebook');
    const panel = host && tracker ? tracker.find(p => p.content.node === host) : undefined;
    const cells = panel?.content.model?.cells;
    if (!cells) {
      return new Map();
    }
    const sources: string[] = [];
    for (const cell of cells) {
      sources.push(cell.sharedModel.getSource());
    }
    return collectNodes(sources);
  };
}

const cellSyntax: JupyterFrontEndPlugin<void> = {
  id: '@flow-nb/labextension:cell-syntax',
  description: 'Highlights %%flow cells: header, relations, Jinja2; marks unknown types and conditions.',
  autoStart: true,
  requires: [IEditorExtensionRegistry],
  optional: [INotebookTracker],
  activate: (
    _app: JupyterFrontEnd,
    registry: IEditorExtensionRegistry,
    tracker: INotebookTracker | null
  ): void => {
    registry.addExtension({
      name: 'flow-nb:cell-syntax',
      factory: () =>
        EditorExtensionRegistry.createImmutableExtension(flowCellHighlighting(notebookDirectory(tracker)))
    });
  }
};

export default [cellSyntax];
