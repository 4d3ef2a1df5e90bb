/**
 * An Argo CD health check for WasmPlugin and TrafficExtension, which Argo CD does not have built in (a plugin is "Healthy" the
 * moment it is applied). Istio writes status on a WasmPlugin only when istiod's status reporting is on
 * (`PILOT_ENABLE_STATUS=true`, plus `PILOT_ENABLE_CONFIG_DISTRIBUTION_TRACKING=true` for `Reconciled`, and
 * `values.global.istiod.enableAnalysis=true` for analyzer messages). Then:
 * Degraded when an analyzer reports an error, Progressing until the plugin has reached every proxy
 * (`Reconciled`) or while the status describes an older generation, Healthy otherwise.
 *
 * What it cannot see: whether a proxy fetched and loaded the module. Istio reports that nowhere in the API
 * (a failed fetch shows as 403s and an istio-proxy log line), so Healthy means "accepted and distributed".
 * Without status reporting there is no status at all, and the check says Healthy rather than Progressing,
 * which would stall every later sync wave forever.
 */
export class WasmPluginHealthCheck {
  /** The `argocd-cm` key the script goes under. */
  public static readonly CONFIG_KEY = 'resource.customizations.health.extensions.istio.io_WasmPlugin';
  /**
   * The `argocd-cm` key for TrafficExtension (Istio 1.30), which carries the same Istio status fields
   * (conditions, observedGeneration, validationMessages) and takes the same script.
   */
  public static readonly TRAFFIC_EXTENSION_CONFIG_KEY = 'resource.customizations.health.extensions.istio.io_TrafficExtension';

  /** The Lua script (Argo CD runs it with gopher-lua, Lua 5.1). */
  public static readonly LUA = `hs = {}
if obj.status == nil then
  hs.status = "Healthy"
  hs.message = "Istio status reporting is off: applied, but Istio reports nothing on this plugin"
  return hs
end
if obj.status.validationMessages ~= nil then
  for _, m in ipairs(obj.status.validationMessages) do
    if m.level == "ERROR" or m.level == "Error" then
      hs.status = "Degraded"
      local code = ""
      if m.type ~= nil and m.type.code ~= nil then code = m.type.code .. " " end
      hs.message = code .. (m.message or "Istio's analyzers report an error on this plugin")
      return hs
    end
  end
end
if obj.status.observedGeneration ~= nil and obj.metadata.generation ~= nil and tostring(obj.status.observedGeneration) ~= tostring(obj.metadata.generation) then
  hs.status = "Progressing"
  hs.message = "Istio has not processed the latest generation yet"
  return hs
end
if obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Reconciled" and c.status ~= "True" then
      hs.status = "Progressing"
      hs.message = c.message or "distributing the plugin to the proxies"
      return hs
    end
  end
end
hs.status = "Healthy"
hs.message = "accepted by Istio and distributed to the proxies (module loading is not reported)"
return hs
`;

  /** The `data` entries to merge into the `argocd-cm` ConfigMap: one per kind, WasmPlugin and TrafficExtension. */
  public static argoCdConfigEntry(): { [key: string]: string } {
    return { [WasmPluginHealthCheck.CONFIG_KEY]: WasmPluginHealthCheck.LUA, [WasmPluginHealthCheck.TRAFFIC_EXTENSION_CONFIG_KEY]: WasmPluginHealthCheck.LUA };
  }

  private constructor() {}
}
