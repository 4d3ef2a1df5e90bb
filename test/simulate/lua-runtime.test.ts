import { MAX_INSTRUCTIONS, closeLuaRuntime, runLua } from '../../src/simulate/lua-runtime';

// Envoy's Lua stream API semantics come from envoyproxy/envoy source/extensions/filters/http/lua/wrappers.cc
// (HeaderMapWrapper::luaGet/luaAdd/luaReplace/luaRemove) and lua_filter.cc (StreamHandleWrapper::luaRespond,
// Filter::scriptError, Filter::EncoderCallbacks::respond); see lua-prelude.ts.
const REQ: Array<[string, string]> = [[':authority', 'productpage:9080'], [':path', '/productpage'], [':method', 'GET'], [':scheme', 'http'], ['user-agent', 'curl/8.5.0'], ['accept', '*/*']];
const run = (body: string, extra: Partial<Parameters<typeof runLua>[0]> = {}) => runLua({ code: `function envoy_on_request(h)\n${body}\nend`, direction: 'request', headers: REQ, ...extra });

afterAll(() => closeLuaRuntime());

describe('Lua runtime: the header API', () => {
  test('add appends a lower-cased header; get joins repeated values with ","', () => {
    const r = run('h:headers():add("X-Env", "prod"); h:headers():add("x-env", 7); h:headers():add("x-got", h:headers():get("X-ENV"))');
    expect(r.outcome).toBe('continue');
    expect(r.headers.filter(([k]) => k.startsWith('x-'))).toEqual([['x-env', 'prod'], ['x-env', '7'], ['x-got', 'prod,7']]);
  });

  test('replace drops every value and appends one (setCopy); remove drops every value', () => {
    const r = run('h:headers():add("a", "1"); h:headers():add("a", "2"); h:headers():replace("a", "3"); h:headers():remove("accept")');
    expect(r.headers.filter(([k]) => k === 'a' || k === 'accept')).toEqual([['a', '3']]);
  });

  test('path and method are :path and :method; getNumValues and getAtIndex count from 0', () => {
    const r = run('local hs = h:headers(); hs:add("x", hs:get(":method") .. " " .. hs:get(":path") .. " " .. hs:getNumValues("accept") .. " " .. hs:getAtIndex("accept", 0))');
    expect(r.headers.find(([k]) => k === 'x')).toEqual(['x', 'GET /productpage 1 */*']);
  });

  test('a header the client did not send and Envoy does not add reads as nil', () => {
    expect(run('if h:headers():get("x-token") == nil then h:headers():add("x-none", "1") end').headers).toContainEqual(['x-none', '1']);
  });

  test('a header Envoy may add (x-request-id) is unknown, with the reason', () => {
    const r = run('local id = h:headers():get("x-request-id")', { uncertain: ['x-request-id'] });
    expect(r.outcome).toBe('unknown');
    expect(r.reason).toMatch(/reads header "x-request-id"/);
  });

  test('numbers are printed as LuaJIT prints them (no ".0" on integral values)', () => {
    expect(run('h:headers():add("n", 10 / 2); h:headers():add("s", tostring(1.5))').headers.filter(([k]) => k === 'n' || k === 's')).toEqual([['n', '5'], ['s', '1.5']]);
  });
});

describe('Lua runtime: respond() and errors', () => {
  test('respond() answers with its status, sorted headers and body, and ends the script', () => {
    const r = run('h:respond({[":status"] = "403", ["x-why"] = "deny"}, "nope")\nh:headers():add("after", "1")');
    expect(r).toMatchObject({ outcome: 'respond', status: 403, body: 'nope', reply: [[':status', '403'], ['x-why', 'deny']] });
    expect(r.headers.find(([k]) => k === 'after')).toBeUndefined();
  });

  test('respond() out of 200-599 is a script error, which Envoy logs and lets the request continue', () => {
    expect(run('h:respond({[":status"] = "100"})')).toMatchObject({ outcome: 'error', message: ':status must be between 200-599' });
  });

  test('a script error keeps the changes made before it (the map is modified in place)', () => {
    const r = run('h:headers():add("x-before", "1")\nlocal t = nil\nlocal x = t.field');
    expect(r.outcome).toBe('error');
    expect(r.message).toMatch(/attempt to index a nil value/);
    expect(r.headers).toContainEqual(['x-before', '1']);
  });

  test('respond() on the response path is refused, as Envoy refuses it', () => {
    const r = runLua({ code: 'function envoy_on_response(h) h:respond({[":status"] = "500"}) end', direction: 'response', headers: [[':status', '200']] });
    expect(r).toMatchObject({ outcome: 'error', message: 'respond not currently supported in the response path' });
  });

  test('a response header of the application is unknown; one added by the filter is known', () => {
    const read = runLua({ code: 'function envoy_on_response(h) h:headers():add("x-a", "1"); h:headers():add("x-b", h:headers():get("x-a")); local s = h:headers():get("server") end', direction: 'response', headers: [[':status', '200']], allUncertain: true });
    expect(read.outcome).toBe('unknown');
    expect(read.reason).toMatch(/"server"/);
  });

  test('no handler for the direction is reported as such', () => {
    expect(runLua({ code: 'function envoy_on_response(h) end', direction: 'request', headers: REQ }).outcome).toBe('no-handler');
  });

  test('code that fails at load is a load error (Envoy refuses the configuration)', () => {
    expect(runLua({ code: 'error("boom")', direction: 'request', headers: REQ })).toMatchObject({ outcome: 'load-error', message: expect.stringMatching(/boom/) });
  });
});

describe('Lua runtime: the sandbox', () => {
  test.each([
    ['os.getenv("HOME")', /os \(outside the sandbox/],
    ['io.open("/etc/passwd")', /io \(outside the sandbox/],
    ['require("socket")', /require \(outside the sandbox/],
    ['loadstring("return 1")()', /loadstring/],
    ['local b = h:body()', /handle:body\(\).*bodies are not simulated/],
    ['h:httpCall("c", {}, "", 100)', /handle:httpCall\(\)/],
    ['for k, v in pairs(h:headers()) do end', /iterating over every header/],
  ])('%s is unknown, naming what it used', (body, why) => {
    const r = run(body);
    expect(r.outcome).toBe('unknown');
    expect(r.reason).toMatch(why);
  });

  test('catching the stop with pcall does not hide it', () => {
    const r = run('local ok = pcall(function() return os.time() end)\nh:headers():add("x", "1")');
    expect(r.outcome).toBe('unknown');
  });

  test('an endless loop stops at the instruction budget, even inside pcall', () => {
    const r = run('while true do pcall(function() end) end');
    expect(r.outcome).toBe('unknown');
    expect(r.reason).toMatch(new RegExp(`past ${MAX_INSTRUCTIONS} Lua instructions`));
  });

  test('a memory bomb stops at the memory cap', () => {
    const r = run('local s = "x"\nwhile true do s = s .. s end');
    expect(r.outcome).toBe('unknown');
    expect(r.reason).toMatch(/allocated more than 16 MiB/);
  });

  test('a handler that writes a global is unknown (Envoy keeps globals across requests)', () => {
    expect(run('count = (count or 0) + 1').reason).toMatch(/writes the global "count"/);
  });

  test('the same job gives the same result (fresh state per run)', () => {
    const a = run('h:headers():add("x", "1")');
    const b = run('h:headers():add("x", "1")');
    expect(b).toEqual(a);
  });
});
