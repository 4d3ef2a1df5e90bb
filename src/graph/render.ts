/**
 * A {@link MeshGraph} as Mermaid (it renders in GitHub Markdown) or Graphviz DOT. Same nodes, same edges, same
 * order; only the syntax differs. Labels are escaped for each language, so any object name is safe.
 */
import { GraphEdgeKind, GraphNode, GraphNodeKind, MeshGraph } from './graph';

const FILL: Record<GraphNodeKind, string> = { plugin: '#fde9d9', waypoint: '#dbe8f6', ingress: '#e2efda', service: '#ffffff', missing: '#f2f2f2' };
const STROKE: Record<GraphNodeKind, string> = { plugin: '#c55a11', waypoint: '#2e75b6', ingress: '#548235', service: '#595959', missing: '#a6a6a6' };
const EDGE_COLOR: Record<GraphEdgeKind, string> = { 'guards': '#c55a11', 'guards-service': '#c55a11', 'serves': '#2e75b6', 'routes': '#548235', 'dead': '#c00000' };
const EDGE_TEXT: Record<GraphEdgeKind, string> = { 'guards': 'guards', 'guards-service': 'guards', 'serves': '', 'routes': 'routes', 'dead': 'targets' };

// "serves" edges carry no word: the blue line from a waypoint to its Services says it, five times over otherwise
function edgeLabel(kind: GraphEdgeKind, label: string): string {
  return [EDGE_TEXT[kind], label].filter((x) => x !== '').join(' ');
}

function nsLabel(ns: string): string {
  return ns === '' ? 'cluster' : `namespace ${ns}`;
}

/** Mermaid text inside quotes: its entity codes for the characters it would read as syntax or HTML. */
export function mermaidText(text: string): string {
  // '#' first: the entity codes written after it start with one
  return text.replace(/[#&"<>|]/g, (c) => `#${c.charCodeAt(0)};`).replace(/[\r\n]+/g, ' ');
}

function mermaidNode(n: GraphNode): string {
  const label = n.lines.map(mermaidText).join('<br/>');
  switch (n.kind) {
    case 'plugin': return `${n.id}[/"${label}"/]`;
    case 'waypoint': return `${n.id}{{"${label}"}}`;
    case 'ingress': return `${n.id}[["${label}"]]`;
    case 'missing': return `${n.id}["${label}"]`;
    default: return `${n.id}("${label}")`;
  }
}

/** The graph as a Mermaid flowchart, one subgraph per namespace. */
export function renderMermaid(g: MeshGraph): string {
  const out = ['flowchart LR'];
  g.namespaces.forEach((ns, i) => {
    out.push(`  subgraph ns${i}["${mermaidText(nsLabel(ns))}"]`);
    for (const n of g.nodes) if (n.namespace === ns) out.push(`    ${mermaidNode(n)}`);
    out.push('  end');
  });
  const linkStyles: string[] = [];
  g.edges.forEach((e, i) => {
    const text = edgeLabel(e.kind, e.label);
    out.push(`  ${e.from} ${e.kind === 'dead' ? '-.->' : e.kind === 'serves' ? '---' : '-->'}${text === '' ? '' : `|"${mermaidText(text)}"|`} ${e.to}`);
    linkStyles.push(`  linkStyle ${i} stroke:${EDGE_COLOR[e.kind]}${e.kind === 'dead' ? ',stroke-dasharray:4' : ''}`);
  });
  out.push(...linkStyles);
  for (const kind of Object.keys(FILL) as GraphNodeKind[]) {
    const ids = g.nodes.filter((n) => n.kind === kind).map((n) => n.id);
    if (ids.length === 0) continue;
    out.push(`  classDef ${kind} fill:${FILL[kind]},stroke:${STROKE[kind]},color:#000000`);
    out.push(`  class ${ids.join(',')} ${kind}`);
  }
  return `${out.join('\n')}\n`;
}

/** DOT text inside double quotes: backslash and quote escaped, line breaks as DOT's centred `\n`. */
export function dotText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r\n|\r|\n/g, '\\n');
}

const SHAPE: Record<GraphNodeKind, string> = { plugin: 'note', waypoint: 'hexagon', ingress: 'invhouse', service: 'box', missing: 'box' };

function dotNode(n: GraphNode): string {
  const style = n.kind === 'service' ? 'rounded,filled' : n.kind === 'missing' ? 'dashed,filled' : 'filled';
  return `"${n.id}" [label="${n.lines.map(dotText).join('\\n')}", shape=${SHAPE[n.kind]}, style="${style}", fillcolor="${FILL[n.kind]}", color="${STROKE[n.kind]}"];`;
}

/** The graph as Graphviz DOT, one cluster per namespace, left to right. */
export function renderDot(g: MeshGraph): string {
  const out = [
    'digraph mesh {',
    '  rankdir=LR;',
    '  graph [fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.9];',
    '  node [fontname="Helvetica", fontsize=11, margin="0.25,0.08"];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  g.namespaces.forEach((ns, i) => {
    out.push(`  subgraph cluster_${i} {`, `    label="${dotText(nsLabel(ns))}";`, '    style="rounded,dashed";', '    color="#7f7f7f";');
    for (const n of g.nodes) if (n.namespace === ns) out.push(`    ${dotNode(n)}`);
    out.push('  }');
  });
  for (const e of g.edges) {
    const style = e.kind === 'dead' ? ', style=dashed' : e.kind === 'serves' ? ', arrowhead=none' : '';
    const text = edgeLabel(e.kind, e.label);
    out.push(`  "${e.from}" -> "${e.to}" [${text === '' ? '' : `label="${dotText(text)}", `}color="${EDGE_COLOR[e.kind]}", fontcolor="${EDGE_COLOR[e.kind]}"${style}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
