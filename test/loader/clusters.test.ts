// The fleet layout on disk: which cluster a file belongs to, and the folder of a named cluster.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { clusterOfFile, clusterPaths, clustersIn, fileOfOrigin, groupByCluster } from '../../src/loader/clusters';

describe('clusterOfFile', () => {
  test.each([
    ['dist/clusters/prod/default/Service.x.k8s.yaml', 'dist', 'prod'],
    ['dist/clusters/prod/kustomization.yaml', 'dist', 'prod'],
    ['dist/clusters/prod/default/Service.x.k8s.yaml', 'dist/clusters', 'prod'],
    // a namespace folder called "clusters" inside a cluster, or in a single-cluster tree, is no cluster folder
    ['dist/clusters/prod/clusters/Namespace.clusters.k8s.yaml', 'dist', 'prod'],
    ['dist/clusters/Namespace.clusters.k8s.yaml', 'dist', undefined],
    ['dist/default/Service.x.k8s.yaml', 'dist', undefined],
    // a folder of that name above the input path is not looked at
    ['/home/me/clusters/repo/dist/default/a.yaml', '/home/me/clusters/repo', undefined],
    ['/home/me/clusters/repo/dist/clusters/eu/shop/a.yaml', '/home/me/clusters/repo/dist', 'eu'],
    // the cluster folder itself given: one group (its name is not guessed from the path above it)
    ['dist/clusters/eu/shop/a.yaml', 'dist/clusters/eu', undefined],
  ])('%s under %s is in cluster %s', (file, root, cluster) => {
    expect(clusterOfFile(file, [root])?.name).toBe(cluster);
  });

  test('origins name their file with or without a List item', () => {
    expect(fileOfOrigin('dist/clusters/a/x.yaml:12')).toBe('dist/clusters/a/x.yaml');
    expect(fileOfOrigin('c:/x.yaml:3#items[2]')).toBe('c:/x.yaml');
    expect(fileOfOrigin('app/shop/Auth')).toBe('app/shop/Auth');
  });
});

describe('groupByCluster', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
  const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };

  test('puts every file a fleet writes in its own cluster, and a single-cluster tree in none (property)', () => {
    fc.assert(fc.property(
      fc.uniqueArray(name, { minLength: 1, maxLength: 5 }),
      // folder names may be "clusters" too: a namespace of that name
      fc.array(fc.oneof(name, fc.constant('clusters')), { minLength: 1, maxLength: 4 }),
      fc.constantFrom('dist', 'out/gitops', '/abs/clusters/repo'),
      (clusters, folders, root) => {
        const objects = clusters.flatMap((c) => folders.map((f, i) => ({ manifest, origin: `${root}/clusters/${c}/${f}/ConfigMap.x${i}.k8s.yaml:1` })));
        const outside = folders.map((f, i) => ({ manifest, origin: `${root}/${f === 'clusters' ? 'argocd' : f}/ConfigMap.y${i}.k8s.yaml:1` }));
        const groups = groupByCluster([...outside, ...objects], [root]);
        expect(groups[0]).toEqual({ objects: outside });
        expect(groups.slice(1).map((g) => g.cluster)).toEqual([...clusters].sort());
        for (const g of groups.slice(1)) {
          expect(g.objects.map((o) => o.origin)).toEqual(objects.filter((o) => o.origin.includes(`/clusters/${g.cluster}/`)).map((o) => o.origin));
        }
        // a single-cluster tree, even with a namespace called "clusters", is one group
        const single = folders.map((f, i) => ({ manifest, origin: `${root}/${f}/ConfigMap.z${i}.k8s.yaml:1` }));
        expect(groupByCluster(single, [root])).toEqual([{ objects: single }]);
      },
    ));
  });
});

describe('clusterPaths', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clusters-'));
  for (const c of ['dev', 'prod']) fs.mkdirSync(path.join(root, 'clusters', c, 'default'), { recursive: true });

  test('finds a cluster under the tree root, the clusters folder, or the cluster folder itself', () => {
    const want = path.join(root, 'clusters', 'prod');
    expect(clusterPaths([root], 'prod')).toEqual([want]);
    expect(clusterPaths([path.join(root, 'clusters')], 'prod')).toEqual([want]);
    expect(clusterPaths([want], 'prod')).toEqual([want]);
    expect(clustersIn(root)).toEqual(['dev', 'prod']);
    expect(clustersIn(path.join(root, 'clusters'))).toEqual(['dev', 'prod']);
  });

  test('fails in one line naming the path, its clusters and the fix', () => {
    expect(() => clusterPaths([root], 'staging')).toThrow(`--cluster: ${root} holds no cluster "staging" (its clusters: dev, prod); pass one of its clusters, or leave --cluster out for a single-cluster tree`);
    expect(() => clusterPaths([path.join(root, 'clusters', 'dev')], 'x')).toThrow(/holds no cluster "x" \(it has no clusters\/ folder\)/);
    expect(() => clusterPaths([root], '../dev')).toThrow(/--cluster: must be the name of one cluster folder \(got "..\/dev"\)/);
  });
});
