// `graph <paths...>`: which plugin guards which Service, through which proxy, as Mermaid or DOT.
import { Option } from 'commander';
import { meshGraph, renderDot, renderMermaid } from '../graph';
import { checkOneCluster, clusterPaths } from '../loader/clusters';
import { DEFAULT_MAX_FILE_BYTES, loadManifests } from '../loader/load';
import { escapeControls } from '../rules/display';
import { emptyPathProblem, parseByteSize, parseNamespace } from './options';
import { MeshModel } from '../model/mesh-model';
import type { CommandRegistrar } from './command';

interface GraphFlags {
  readonly format: 'mermaid' | 'dot';
  readonly namespace?: string;
  readonly rootNamespace: string;
  readonly defaultNamespace: string;
  readonly maxFileSize?: number;
  readonly cluster?: string;
}

export const graphCommand: CommandRegistrar = (program, io, setExit) => {
  program.command('graph')
    .description('draw the mesh: which plugin guards which Service, through which proxy (gateway or waypoint). Exit 0 drawn, 2 input unreadable')
    .argument('<paths...>', 'YAML/JSON files or directories (read recursively)')
    .addOption(new Option('--format <format>', 'mermaid (renders in GitHub Markdown) or dot (Graphviz)').choices(['mermaid', 'dot']).default('mermaid'))
    .option('-n, --namespace <namespace>', 'draw only what touches this namespace', parseNamespace)
    .option('--root-namespace <namespace>', "Istio's meshConfig.rootNamespace", parseNamespace, 'istio-system')
    .option('--default-namespace <namespace>', 'namespace of objects that set none', parseNamespace, 'default')
    .option('--cluster <name>', 'in a fleet tree (clusters/<name>/ under each path), draw this cluster')
    .option('--max-file-size <size>', `largest file read, e.g. 128MiB (default ${DEFAULT_MAX_FILE_BYTES / 1024 ** 2}MiB)`, parseByteSize)
    .action((paths: string[], flags: GraphFlags) => {
      const empty = emptyPathProblem('paths', paths);
      if (empty) {
        io.err(`error: ${empty}\n`);
        setExit(2);
        return;
      }
      let roots = paths;
      try {
        if (flags.cluster !== undefined) roots = clusterPaths(paths, flags.cluster);
      } catch (e: any) {
        io.err(`error: ${escapeControls(String(e?.message ?? e))}\n`);
        setExit(2);
        return;
      }
      const loaded = loadManifests(roots, { maxFileBytes: flags.maxFileSize });
      if (loaded.errors.length > 0) {
        const e = loaded.errors[0];
        const more = loaded.errors.length > 1 ? ` (and ${loaded.errors.length - 1} more)` : '';
        io.err(`error: ${escapeControls(`${e.file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}${more}`)}; fix the file or leave it out\n`);
        setExit(2);
        return;
      }
      if (loaded.objects.length === 0) {
        io.err(`error: no Kubernetes object found under ${paths.map((p) => JSON.stringify(p)).join(', ')}; point graph at the synthesized YAML (e.g. dist)\n`);
        setExit(2);
        return;
      }
      try {
        // each cluster's mesh is its own: a fleet is drawn one cluster at a time
        checkOneCluster(loaded.objects, paths, 'a graph draws one cluster');
      } catch (e: any) {
        io.err(`error: ${String(e?.message ?? e)}\n`);
        setExit(2);
        return;
      }
      const model = MeshModel.build(loaded.objects, { rootNamespace: flags.rootNamespace, defaultNamespace: flags.defaultNamespace });
      const g = meshGraph(model, { namespace: flags.namespace });
      if (flags.namespace !== undefined && g.nodes.length === 0) {
        io.err(`error: --namespace: nothing in namespace ${JSON.stringify(flags.namespace)} to draw (namespaces: ${meshGraph(model).namespaces.join(', ') || 'none'})\n`);
        setExit(2);
        return;
      }
      io.out(flags.format === 'dot' ? renderDot(g) : renderMermaid(g));
      setExit(0);
    });
};
