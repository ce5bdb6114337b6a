/**
 * MIME renderers for flow_nb's outputs, so a saved notebook shows its workflows and runs with no kernel:
 * `application/vnd.flow-nb.workflow+json` (the workflow export) as a graph, and
 * `application/vnd.flow-nb.run+json` (the run record) as its trace. The Python side that emits them is
 * `flow_nb/notebook/mime.py`; the same bundles carry text/html and text/plain for other front ends.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { IRunRecord, plural } from './format';
import { workflowSvg } from './graphview';
import { IWorkflowExport } from './layout';
import { runTrace } from './traceview';

export const WORKFLOW_MIME = 'application/vnd.flow-nb.workflow+json';
export const RUN_MIME = 'application/vnd.flow-nb.run+json';

/** A JSON output of one of our MIME types; a broken one is said, not thrown. */
abstract class JsonRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly _mimeType: string) {
    super();
    this.addClass('fnb-output');
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[this._mimeType];
    this.node.replaceChildren();
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      this.node.textContent = `flow_nb: this ${this._mimeType} output holds no JSON object`;
      return Promise.resolve();
    }
    try {
      this.node.appendChild(this.render(data as unknown));
    } catch (error) {
      this.node.textContent = `flow_nb: cannot show this output (${String(error)})`;
    }
    return Promise.resolve();
  }

  protected abstract render(data: unknown): HTMLElement;
}

/** The workflow: a headline and the static graph. */
export class WorkflowRenderer extends JsonRenderer {
  constructor() {
    super(WORKFLOW_MIME);
  }

  protected render(data: unknown): HTMLElement {
    const workflow = data as IWorkflowExport;
    const root = document.createElement('div');
    root.className = 'fnb-workflow';
    root.dataset.testid = 'flow-workflow';
    const head = document.createElement('div');
    head.className = 'fnb-workflow-head';
    const name = document.createElement('b');
    name.textContent = `workflow ${workflow.name ?? ''}`;
    head.append(
      name,
      ` · ${plural((workflow.nodes ?? []).length, 'node')} · ${plural((workflow.relations ?? []).length, 'relation')}`
    );
    if (workflow.description) {
      const description = document.createElement('div');
      description.className = 'fnb-description';
      description.textContent = workflow.description;
      head.appendChild(description);
    }
    root.append(head, workflowSvg(workflow));
    return root;
  }
}

/** The run: its node-by-node trace. */
export class RunRenderer extends JsonRenderer {
  constructor() {
    super(RUN_MIME);
  }

  protected render(data: unknown): HTMLElement {
    return runTrace(data as IRunRecord);
  }
}

const extensions: IRenderMime.IExtension[] = [
  {
    id: '@flow-nb/labextension:workflow',
    rendererFactory: {
      // safe: the renderers build DOM from text, never from markup, so untrusted notebooks use them too
      safe: true,
      mimeTypes: [WORKFLOW_MIME],
      createRenderer: () => new WorkflowRenderer()
    },
    rank: 10,
    dataType: 'json'
  },
  {
    id: '@flow-nb/labextension:run',
    rendererFactory: {
      safe: true,
      mimeTypes: [RUN_MIME],
      createRenderer: () => new RunRenderer()
    },
    rank: 10,
    dataType: 'json'
  }
];

export default extensions;
