// Which status condition istiod writes where a GW finding falls: the reason of the False Accepted or ResolvedRefs
// condition (on a route's parent, or on a Gateway's listener) that the finding mirrors. Reasons are istiod's
// (istio@1.30.3:pilot/pkg/config/kube/gateway/conditions.go ParentError*, InvalidDestination*,
// InvalidTLS; conversion.go listenerProtocolToIstio) as its golden files write them. A code absent here mirrors no condition:
// GW004, GW006 and GW030 are warnings about what istiod accepts; GW011 is a route istiod accepts (it checks that the
// Service exists, not its port) whose requests Envoy answers 500; GW001 and GW023 are refused before any status.
import { Finding } from '../../src/rules';

const REASON: Record<string, string> = {
  GW002: 'InvalidCertificateRef',
  GW003: 'InvalidCertificateRef',
  GW005: 'RefNotPermitted',
  GW007: 'UnsupportedProtocol',
  GW010: 'BackendNotFound',
  GW012: 'RefNotPermitted',
  GW013: 'InvalidKind',
  GW021: 'NoMatchingListenerHostname',
  GW022: 'NotAllowedByListeners',
};

/**
 * The istiod condition reason a finding mirrors, or undefined. GW020 mirrors NoMatchingParent when a listener is
 * missing (`port`, `sectionName`); a Gateway missing altogether gets no status entry from istiod at all.
 */
export function istioReason(f: Pick<Finding, 'code' | 'field'>): string | undefined {
  if (f.code === 'GW020') return /\.(port|sectionName)$/.test(f.field) ? 'NoMatchingParent' : undefined;
  return REASON[f.code];
}

/** The reasons of an object's findings, sorted and without repeats: what its golden status must show False. */
export function istioReasons(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map(istioReason).filter((r): r is string => r !== undefined))].sort();
}
