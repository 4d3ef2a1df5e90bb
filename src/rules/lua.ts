/**
 * Checks on the Lua code of a TrafficExtension (`spec.lua.inlineCode`): whether it parses as the LuaJIT that
 * Envoy's Lua filter runs, and whether it defines the global functions Envoy looks for. Pure: the code is
 * parsed (luaparse), never run; running it is the simulator's job (`simulate/lua-runtime.ts`).
 */
import * as luaparse from 'luaparse';
import { FieldProblem } from './finding';
import { severityOf } from './codes';

/** istiod drops a Lua TrafficExtension whose code is empty or longer than this (pilot/pkg/model/extensions.go). */
export const MAX_LUA_CODE = 65536;

/** The two global functions Envoy's Lua filter looks up after loading the code. */
export const LUA_HANDLERS = ['envoy_on_request', 'envoy_on_response'] as const;

/** Where a parse error is, 1-based, within the code. */
export interface LuaSyntaxError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** What a static read of the code finds. */
export interface LuaSourceInfo {
  readonly syntaxError?: LuaSyntaxError;
  /** Handlers assigned as globals by code that runs when the chunk loads (not inside a function body). */
  readonly globalHandlers: string[];
  /** Handlers declared `local` at load level: Envoy never sees those. */
  readonly localHandlers: string[];
}

function problem(code: string, field: string, message: string, value: unknown, fix: string): FieldProblem {
  return { code, severity: severityOf(code), field, message, value, fix };
}

const CACHE = new Map<string, LuaSourceInfo>();

/** Parses `code` as LuaJIT (Lua 5.1 with goto and LuaJIT literals), the language Envoy's Lua filter runs. */
export function readLuaSource(code: string): LuaSourceInfo {
  const hit = CACHE.get(code);
  if (hit) return hit;
  let info: LuaSourceInfo;
  try {
    const chunk = luaparse.parse(code, { luaVersion: 'LuaJIT', comments: false, locations: false, ranges: false, scope: false });
    info = handlersOf(chunk);
  } catch (e: any) {
    // luaparse reports 1-based lines and 0-based columns, with "[line:column] " before the text
    const message = String(e?.message ?? e).replace(/^\[\d+:\d+\]\s*/, '');
    const line = typeof e?.line === 'number' ? e.line : 1;
    const column = typeof e?.column === 'number' ? e.column + 1 : 1;
    info = { syntaxError: { line, column, message }, globalHandlers: [], localHandlers: [] };
  }
  // the same code is read by every rule and every simulated request: parse it once
  if (CACHE.size > 256) CACHE.clear();
  CACHE.set(code, info);
  return info;
}

function handlersOf(chunk: luaparse.Chunk): LuaSourceInfo {
  const globals = new Set<string>();
  const locals = new Set<string>();
  const isHandler = (n: string) => (LUA_HANDLERS as readonly string[]).includes(n);
  // statements that run when the chunk is loaded: the top level and blocks nested in it, not function bodies
  const visit = (body: luaparse.Statement[], shadowed: Set<string>) => {
    const scope = new Set(shadowed);
    for (const s of body) {
      switch (s.type) {
        case 'FunctionDeclaration': {
          const id = s.identifier;
          if (id && id.type === 'Identifier' && isHandler(id.name)) {
            if (s.isLocal) { locals.add(id.name); scope.add(id.name); } else if (!scope.has(id.name)) globals.add(id.name);
          }
          if (id && id.type === 'Identifier' && s.isLocal) scope.add(id.name);
          break;
        }
        case 'LocalStatement':
          for (const v of s.variables) {
            if (isHandler(v.name)) locals.add(v.name);
            scope.add(v.name);
          }
          break;
        case 'AssignmentStatement':
          for (const v of s.variables) {
            if (v.type === 'Identifier' && isHandler(v.name) && !scope.has(v.name)) globals.add(v.name);
            // _G.envoy_on_request = ... and _G["envoy_on_request"] = ...
            if (v.type === 'MemberExpression' && v.base.type === 'Identifier' && v.base.name === '_G' && isHandler(v.identifier.name)) globals.add(v.identifier.name);
            if (v.type === 'IndexExpression' && v.base.type === 'Identifier' && v.base.name === '_G' && v.index.type === 'StringLiteral') {
              const name = stringValue(v.index);
              if (name !== undefined && isHandler(name)) globals.add(name);
            }
          }
          break;
        case 'DoStatement':
        case 'WhileStatement':
        case 'RepeatStatement':
        case 'ForNumericStatement':
        case 'ForGenericStatement':
          visit(s.body, scope);
          break;
        case 'IfStatement':
          for (const c of s.clauses) visit(c.body, scope);
          break;
        default:
          break;
      }
    }
  };
  visit(chunk.body, new Set());
  return { globalHandlers: LUA_HANDLERS.filter((h) => globals.has(h)), localHandlers: LUA_HANDLERS.filter((h) => locals.has(h) && !globals.has(h)) };
}

function stringValue(lit: luaparse.StringLiteral): string | undefined {
  if (typeof lit.value === 'string') return lit.value;
  const raw = lit.raw;
  return /^(['"])([A-Za-z_]+)\1$/.test(raw) ? raw.slice(1, -1) : undefined;
}

/**
 * The Lua checks of one code string: length bounds (TE004), LuaJIT syntax (TE002), handlers (TE003).
 * `field` names the code in findings.
 */
export function checkLuaCode(code: unknown, field = 'spec.lua.inlineCode'): FieldProblem[] {
  if (typeof code !== 'string' || code.length === 0 || code.length > MAX_LUA_CODE) {
    const got = typeof code === 'string' ? `${code.length} characters` : code;
    return [problem('TE004', field, `must be a string of 1 to ${MAX_LUA_CODE} characters; the API server refuses anything else and istiod drops it`,
      got, code === undefined ? 'set lua.inlineCode to the filter\'s code' : `keep the code between 1 and ${MAX_LUA_CODE} characters`)];
  }
  const info = readLuaSource(code);
  if (info.syntaxError) {
    const e = info.syntaxError;
    return [problem('TE002', field, `does not parse as LuaJIT, the Lua Envoy runs: line ${e.line}, column ${e.column} of the code: ${e.message}`,
      codeLine(code, e.line), 'fix the syntax: Envoy loads the code when it receives the filter configuration and refuses the configuration on a script load error')];
  }
  if (info.globalHandlers.length === 0) {
    const local = info.localHandlers.length > 0 ? `; ${info.localHandlers.join(' and ')} is declared local, and Envoy looks up globals only` : '';
    return [problem('TE003', field, `defines neither envoy_on_request nor envoy_on_response as a global function, so the filter never runs any code on a request${local}`,
      codeLine(code, 1), 'define function envoy_on_request(request_handle) (or envoy_on_response) at the top level of the code, without local')];
  }
  return [];
}

/** One line of the code, for the finding's value (short, never the whole script). */
function codeLine(code: string, line: number): string {
  const l = code.split('\n')[line - 1] ?? '';
  return l.length > 80 ? `${l.slice(0, 77)}...` : l;
}
