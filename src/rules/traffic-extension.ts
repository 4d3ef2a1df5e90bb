/**
 * The rules only a TrafficExtension has (TE codes): its body (exactly one of wasm and lua), its Lua code, its
 * own phase words, and WasmPlugin fields written where a TrafficExtension has none. The rules both kinds
 * share run through {@link checkWasmPlugin}, the same function as for a WasmPlugin.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { EXTENSION_PHASES, WASM_BODY_FIELDS } from '../model/extension';
import { FieldProblem, Finding, problemToFinding } from './finding';
import { severityOf } from './codes';
import { checkEnum } from './wasm-fields';
import { checkLuaCode } from './lua';
import { checkWasmPlugin, entryRef } from './wasm-plugin';

function problem(code: string, field: string, message: string, value: unknown, fix: string): FieldProblem {
  return { code, severity: severityOf(code), field, message, value, fix };
}

/** Field-local checks of a TrafficExtension spec (no other object needed). */
export function checkTrafficExtensionSpec(spec: any): FieldProblem[] {
  const out: FieldProblem[] = [];
  const s = spec && typeof spec === 'object' ? spec : {};
  const hasWasm = s.wasm !== undefined && s.wasm !== null;
  const hasLua = s.lua !== undefined && s.lua !== null;
  if (hasWasm === hasLua) {
    out.push(problem('TE001', hasWasm ? 'spec.lua' : 'spec', hasWasm ? 'is set together with wasm: exactly one of wasm or lua must be set (the API server refuses both)'
      : 'sets neither wasm nor lua: exactly one must be set (the API server refuses it, and istiod drops it)',
    hasWasm ? Object.keys(s.lua ?? {}) : Object.keys(s), hasWasm ? 'keep either the Wasm module or the Lua code, and make the other its own TrafficExtension'
      : 'add wasm: { url: ... } for a Wasm module or lua: { inlineCode: ... } for Lua code'));
  }
  if (s.targetRef !== undefined) {
    out.push(problem('TE005', 'spec.targetRef', 'is a WasmPlugin field: TrafficExtension has only targetRefs, so the API server drops it (or refuses the object under strict field validation) and the extension attaches by selector, or to every gateway of its namespace',
      s.targetRef, 'write the target as the one entry of targetRefs'));
  }
  for (const f of WASM_BODY_FIELDS) {
    if (s[f] !== undefined) {
      out.push(problem('TE005', `spec.${f}`, `is a WasmPlugin field: a TrafficExtension carries it under spec.wasm, so the API server drops it here (or refuses the object under strict field validation)`,
        f === 'pluginConfig' ? Object.keys(s[f] ?? {}) : s[f], `move ${f} under spec.wasm`));
    }
  }
  out.push(...checkEnum(s.phase, 'spec.phase', EXTENSION_PHASES));
  if (hasLua && !hasWasm) out.push(...checkLuaCode(s.lua?.inlineCode, 'spec.lua.inlineCode'));
  return out;
}

/** Every rule about one TrafficExtension: its own (TE codes) and the ones it shares with WasmPlugin. */
export function checkTrafficExtension(model: MeshModel, te: Entry): Finding[] {
  const own = checkTrafficExtensionSpec(te.manifest.spec).map((p) => problemToFinding(entryRef(te), p));
  return [...own, ...checkWasmPlugin(model, te)];
}
