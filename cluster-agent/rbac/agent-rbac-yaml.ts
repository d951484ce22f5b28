/** The rendered RBAC objects as one multi-document YAML, each rule preceded by its `why` as a comment. */
import { Document } from 'yaml';
import type { Node } from 'yaml';
import { renderAgentRbac } from './render-agent-rbac.js';
import type { AgentRbacOptions } from './render-agent-rbac.js';

export function renderAgentRbacYaml(options: AgentRbacOptions, header: string): string {
  const documents = renderAgentRbac(options).map(({ object, sources }) => {
    const doc = new Document(object);
    sources.forEach((rule, i) => {
      const node = doc.getIn(['rules', i], true) as Node | undefined;
      if (node) node.commentBefore = ` ${rule.feature}: ${rule.why}`;
    });
    return doc.toString({ lineWidth: 0 });
  });
  return `${header.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n')}\n${documents.map((d) => `---\n${d}`).join('')}`;
}
