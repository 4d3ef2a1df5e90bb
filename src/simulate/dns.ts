/**
 * Kubernetes DNS as a pod sees it: the search path `<ns>.svc.<domain> svc.<domain> <domain>` with ndots 5,
 * Service records `<service>.<ns>.svc.<domain>`, and pod records `<hostname>.<subdomain>.<ns>.svc.<domain>`
 * that exist when a headless Service named like the subdomain lives in the namespace (StatefulSet pods are
 * `<statefulset>-<ordinal>.<serviceName>`). Only names the manifests decide are answered.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { key } from '../model/manifest';
import { hasNoVip } from '../model/protocol';
import { Workload } from './workloads';

/** What a name resolves to. */
export type DnsAnswer =
  | { readonly kind: 'service'; readonly service: Entry; readonly fqdn: string }
  | { readonly kind: 'pod'; readonly workload: Workload; readonly hostname: string; readonly service: Entry; readonly fqdn: string }
  | { readonly kind: 'none'; readonly tried: string };

/** The pod of `w` answering to `hostname.subdomain`, if there is one. */
function podMatches(w: Workload, hostname: string, subdomain: string): boolean {
  const spec = w.entry.manifest.spec ?? {};
  if (w.kind === 'StatefulSet') {
    if (spec.serviceName !== subdomain) return false;
    const m = /^(.*)-(0|[1-9][0-9]*)$/.exec(hostname);
    if (!m || m[1] !== w.name) return false;
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    return Number(m[2]) < replicas;
  }
  if (w.kind === 'Pod') return spec.hostname === hostname && spec.subdomain === subdomain;
  // pods of other workloads carry hostname and subdomain from their template
  const t = spec.template?.spec ?? {};
  return t.hostname === hostname && t.subdomain === subdomain;
}

/** Resolves `host` (case-insensitive, a trailing dot makes it absolute) from a pod in `clientNs`. */
export function resolveName(model: MeshModel, host: string, clientNs: string, domain: string, workloadsByNs: ReadonlyMap<string, Workload[]>,
  extraServices: ReadonlyMap<string, { service: Entry }> = new Map()): DnsAnswer {
  const serviceOf = (k: string) => model.services.get(k) ?? extraServices.get(k)?.service;
  const name = host.toLowerCase();
  const absolute = name.endsWith('.');
  const bare = absolute ? name.slice(0, -1) : name;
  const search = [`${clientNs}.svc.${domain}`, `svc.${domain}`, domain].map((s) => `${bare}.${s}`);
  const dots = bare.split('.').length - 1;
  const candidates = absolute ? [bare] : dots >= 5 ? [bare, ...search] : [...search, bare];
  const suffix = `.svc.${domain}`;
  const tried: string[] = [];
  for (const fqdn of candidates) {
    if (!fqdn.endsWith(suffix)) continue;
    const labels = fqdn.slice(0, -suffix.length).split('.');
    if (labels.length === 2) {
      const [svcName, ns] = labels;
      tried.push(`Service ${ns}/${svcName}`);
      const svc = serviceOf(key(ns, svcName));
      if (svc) return { kind: 'service', service: svc, fqdn };
    } else if (labels.length === 3) {
      const [hostname, subdomain, ns] = labels;
      const svc = model.services.get(key(ns, subdomain));
      if (!svc || !hasNoVip(svc) || svc.manifest.spec?.type === 'ExternalName') continue;
      tried.push(`pod ${hostname} of headless Service ${ns}/${subdomain}`);
      const w = (workloadsByNs.get(ns) ?? []).find((x) => podMatches(x, hostname, subdomain));
      if (w) return { kind: 'pod', workload: w, hostname, service: svc, fqdn };
    }
  }
  return { kind: 'none', tried: tried.length > 0 ? `no ${tried.join(', no ')}` : 'no Service or pod record' };
}
