/**
 * The Lua side of the simulated Lua filter: a sandbox (no io, os, require, load, file access) and the subset of
 * Envoy's Lua stream API the simulator models (headers get/getAtIndex/getNumValues/add/replace/remove,
 * respond(), the log calls). Everything else a script touches ends the run as `unknown`, naming what it
 * touched. Runs in a fresh Lua state per job (see `lua-runtime.ts`), with `__JOB` set to the job.
 *
 * Envoy's semantics, from source/extensions/filters/http/lua/{lua_filter.cc,wrappers.cc} and the filter's docs:
 * - keys go through LowerCaseString; `get` joins repeated values with "," (HeaderUtility::getAllOfHeaderAsString);
 *   `add` appends (addCopy); `replace` removes every value and appends one (HeaderMapImpl::setCopy); `remove`
 *   drops every value;
 * - arguments go through luaL_checkstring, which accepts numbers (LuaJIT prints them with "%.14g");
 * - `respond(headers, body)` needs a table with `:status` 200-599, ends the script (it yields and is never
 *   resumed), and is refused on the response path ("respond not currently supported in the response path");
 * - a script error is logged and the stream continues (Filter::scriptError), with the changes made so far.
 */
export const LUA_PRELUDE = String.raw`
local job = __JOB
__JOB = nil
local rawpcall, rawerror, rawtype, rawtostring, rawpairs = pcall, error, type, tostring, pairs
local sfmt, slower, tinsert, tremove, tconcat, tunpack = string.format, string.lower, table.insert, table.remove, table.concat, table.unpack

-- why the run cannot be decided (set once, and kept even if the script catches the error)
local verdict = nil
local MARK = setmetatable({}, { __tostring = function() return "simulator stop" end })
local LIMIT = "\1simulator instruction limit\1"
local function stop(kind, text)
  if verdict == nil then verdict = { kind = kind, text = text } end
  rawerror(MARK, 0)
end
local function unsupported(what) stop("unsupported", what) end
local function isMarker(e) return e == MARK or e == LIMIT or e == "not enough memory" end

-- LuaJIT numbers are doubles, printed with "%.14g" (no ".0" on integral values, unlike Lua 5.4)
local function numstr(v)
  if math.type(v) == "float" and v == v and v ~= math.huge and v ~= -math.huge then return sfmt("%.14g", v) end
  return rawtostring(v)
end
local function checkstr(v, n, fname)
  local t = rawtype(v)
  if t == "string" then return v end
  if t == "number" then return numstr(v) end
  rawerror(sfmt("bad argument #%d to '%s' (string expected, got %s)", n, fname, t), 0)
end

-- the header map ---------------------------------------------------------------------------------
local uncertain = {}
for _, n in ipairs(job.uncertain or {}) do uncertain[n] = true end
local function mapOf(list, direction, modifiable)
  local entries = {}
  for i = 1, #list do entries[i] = { slower(list[i][1]), list[i][2] } end
  local self = {}
  local function valuesOf(key)
    local out = {}
    for _, e in ipairs(entries) do if e[1] == key then out[#out + 1] = e[2] end end
    if #out == 0 and (job.allUncertain or uncertain[key]) then
      stop("unknown-header", key)
    end
    return out
  end
  local function modify()
    if not modifiable then rawerror("header map can no longer be modified", 0) end
  end
  local methods = {}
  function methods.get(_, key)
    local v = valuesOf(slower(checkstr(key, 2, "get")))
    if #v == 0 then return nil end
    return tconcat(v, ",")
  end
  function methods.getAtIndex(_, key, index)
    local v = valuesOf(slower(checkstr(key, 2, "getAtIndex")))
    if rawtype(index) ~= "number" then rawerror("bad argument #3 to 'getAtIndex' (number expected, got " .. rawtype(index) .. ")", 0) end
    local i = math.floor(index)
    if i >= 0 and i < #v then return v[i + 1] end
    return nil
  end
  function methods.getNumValues(_, key)
    return #valuesOf(slower(checkstr(key, 2, "getNumValues")))
  end
  function methods.add(_, key, value)
    modify()
    local k, v = slower(checkstr(key, 2, "add")), checkstr(value, 3, "add")
    entries[#entries + 1] = { k, v }
  end
  function methods.remove(_, key)
    modify()
    local k = slower(checkstr(key, 2, "remove"))
    for i = #entries, 1, -1 do if entries[i][1] == k then tremove(entries, i) end end
  end
  function methods.replace(_, key, value)
    modify()
    local k, v = slower(checkstr(key, 2, "replace")), checkstr(value, 3, "replace")
    for i = #entries, 1, -1 do if entries[i][1] == k then tremove(entries, i) end end
    entries[#entries + 1] = { k, v }
  end
  function methods.setHttp1ReasonPhrase(_, phrase)
    if direction ~= "response" then unsupported("headers:setHttp1ReasonPhrase() on the request path") end
    modify()
    checkstr(phrase, 2, "setHttp1ReasonPhrase")
  end
  setmetatable(self, {
    __index = function(_, name)
      if methods[name] then return methods[name] end
      if rawtype(name) == "string" then return function() unsupported("headers:" .. name .. "()") end end
      return nil
    end,
    __pairs = function() unsupported("iterating over every header (pairs), which include headers Envoy adds that are not simulated") end,
    __newindex = function() rawerror("attempt to index a header map as a table", 0) end,
    __metatable = false,
  })
  return self, entries
end

-- the stream handle ---------------------------------------------------------------------------------
local logs = {}
local headers, entries = mapOf(job.headers, job.direction, true)
local responded = nil
local handle = {}
local handleMethods = {}
function handleMethods.headers() return headers end
function handleMethods.respond(_, hdrs, body)
  if job.direction ~= "request" then rawerror("respond not currently supported in the response path", 0) end
  if rawtype(hdrs) ~= "table" then rawerror("bad argument #2 to 'respond' (table expected, got " .. rawtype(hdrs) .. ")", 0) end
  if body ~= nil then body = checkstr(body, 3, "respond") end
  local list = {}
  for k, v in rawpairs(hdrs) do
    local key = slower(checkstr(k, 2, "respond"))
    if rawtype(v) == "table" then
      for _, one in rawpairs(v) do list[#list + 1] = { key, checkstr(one, 2, "respond") } end
    else
      list[#list + 1] = { key, checkstr(v, 2, "respond") }
    end
  end
  local status = nil
  for _, e in ipairs(list) do if e[1] == ":status" then status = tonumber(e[2]) break end end
  if status == nil or status ~= math.floor(status) or status < 200 or status >= 600 then rawerror(":status must be between 200-599", 0) end
  -- the table's order is Lua's, not the script's: keep a stable one
  table.sort(list, function(a, b) if a[1] == b[1] then return a[2] < b[2] end return a[1] < b[1] end)
  responded = { status = math.floor(status), headers = list, body = body }
  rawerror(MARK, 0)
end
for _, level in ipairs({ "Trace", "Debug", "Info", "Warn", "Err", "Critical" }) do
  handleMethods["log" .. level] = function(_, message) logs[#logs + 1] = level:lower() .. ": " .. checkstr(message, 2, "log" .. level) end
end
setmetatable(handle, {
  __index = function(_, name)
    if handleMethods[name] then return handleMethods[name] end
    if rawtype(name) == "string" then
      return function() unsupported("handle:" .. name .. "()" .. ((name == "body" or name == "bodyChunks") and " (bodies are not simulated)" or "")) end
    end
    return nil
  end,
  __newindex = function() rawerror("attempt to modify the stream handle", 0) end,
  __metatable = false,
})

-- the sandbox: LuaJIT's base library where it has an equivalent, nothing that reaches outside -----------
local function copy(t, drop)
  local out = {}
  for k, v in rawpairs(t) do if not (drop and drop[k]) then out[k] = v end end
  return out
end
local function wrapPcall(ok, ...)
  if not ok and isMarker((...)) then rawerror((...), 0) end
  return ok, ...
end
local std = {
  assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs, rawequal = rawequal, rawget = rawget,
  rawset = rawset, select = select, setmetatable = setmetatable, getmetatable = getmetatable, type = type, tonumber = tonumber,
  unpack = tunpack, _VERSION = "Lua 5.1",
  tostring = function(v) if rawtype(v) == "number" then return numstr(v) end return rawtostring(v) end,
  print = function() end,
  pcall = function(f, ...) return wrapPcall(rawpcall(f, ...)) end,
  xpcall = function(f, h, ...)
    local r = table.pack(rawpcall(f, ...))
    if r[1] then return tunpack(r, 1, r.n) end
    if isMarker(r[2]) then rawerror(r[2], 0) end
    return false, h(r[2])
  end,
  string = copy(string, { pack = true, unpack = true, packsize = true, dump = true }),
  table = copy(table, { move = true, pack = true, unpack = true }),
  math = copy(math, { type = true, tointeger = true, ult = true, maxinteger = true, mininteger = true }),
  coroutine = copy(coroutine, { close = true, isyieldable = true }),
}
std.math.pow = function(a, b) return a ^ b end
std.table.getn = function(t) return #t end
std.coroutine.resume = function(co, ...) return wrapPcall(coroutine.resume(co, ...)) end
local OUTSIDE = { io = true, os = true, require = true, package = true, debug = true, load = true, loadstring = true,
  loadfile = true, dofile = true, module = true, setfenv = true, getfenv = true, collectgarbage = true, jit = true, bit = true,
  ffi = true, newproxy = true, gcinfo = true }
local store = {}
local inHandler = false
local written = nil
local env = setmetatable({}, {
  __index = function(_, k)
    local v = store[k]
    if v ~= nil then return v end
    if OUTSIDE[k] then unsupported(rawtostring(k) .. " (outside the sandbox: no files, processes, modules or code loading)") end
    if k == "_G" then return _ENVPROXY end
    return std[k]
  end,
  __newindex = function(_, k, v)
    if inHandler and written == nil then written = rawtostring(k) end
    store[k] = v
  end,
})
_ENVPROXY = env

local function result(outcome, extra)
  local out = extra or {}
  out.outcome = outcome
  out.logs = logs
  out.headers = entries
  if verdict ~= nil then out.outcome = "unknown"; out.stop = verdict.kind; out.reason = verdict.text end
  return out
end

local chunk, err = load(job.code, "=inlineCode", "t", env)
if not chunk then return result("load-error", { message = rawtostring(err) }) end
local ok, e = rawpcall(chunk)
if not ok then
  if e == LIMIT then return result("unknown", { stop = "limit", reason = "loading the code" }) end
  if e == "not enough memory" then return result("unknown", { stop = "memory", reason = "loading the code" }) end
  return result("load-error", { message = rawtostring(e) })
end
local fn = store[job.direction == "request" and "envoy_on_request" or "envoy_on_response"]
if fn == nil then return result("no-handler") end
inHandler = true
ok, e = rawpcall(fn, handle)
inHandler = false
if responded ~= nil and verdict == nil then return result("respond", { status = responded.status, reply = responded.headers, body = responded.body }) end
if not ok then
  if e == LIMIT then return result("unknown", { stop = "limit", reason = "running the handler" }) end
  if e == "not enough memory" then return result("unknown", { stop = "memory", reason = "running the handler" }) end
  if e == MARK then return result("unknown") end
  return result("error", { message = rawtostring(e) })
end
if written ~= nil then return result("unknown", { stop = "global", reason = written }) end
return result("continue")
`;
