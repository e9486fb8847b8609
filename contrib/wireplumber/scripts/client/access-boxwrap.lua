-- boxwrap: WirePlumber's client access policy, with capture kept from the
-- apps that boxwrap sandboxes.
--
-- Loaded in place of WirePlumber's stock client/access-default.lua (see
-- wireplumber.conf.d/60-boxwrap.conf). Every client other than a boxwrap
-- app gets what the stock script gives it: the access.rules section of
-- wireplumber.conf first, then "all" for "default" access, "rx" for
-- "flatpak" and "restricted" access, "all" for a Flatpak client that says
-- it is a Manager.
--
-- A boxwrap app is a Flatpak client (PipeWire found /.flatpak-info through
-- its /proc/PID/root, or pipewire-pulse did for a PulseAudio client) whose
-- app id boxwrap has launched in this session: boxwrap creates
-- $XDG_RUNTIME_DIR/.flatpak/.boxwrap-apps/APP-ID before it starts the app,
-- where no sandbox can reach. Such a client sees nothing by default, and
-- read and execute on each object except capture nodes (Audio/Source*,
-- Audio/Duplex*, Video/Source*) that another client owns and their ports,
-- granted as each object appears. PipeWire refuses a link unless the owner
-- of each node can read the other node (impl-link.c), so neither the app
-- nor a PulseAudio stream pipewire-pulse opens for it can be linked to a
-- microphone or a camera; playback to sinks still works. Cameras stay
-- reachable through the Camera portal (access-portal.lua). Neither
-- media.category (any client sets it on itself) nor access.rules (which
-- match properties the client chooses) widen this. Without
-- XDG_RUNTIME_DIR no client counts as a boxwrap app.

log = Log.open_topic ("s-client")

local rules = Conf.get_section_as_json ("access.rules")
local marker_dir = (os.getenv ("XDG_RUNTIME_DIR") or "/nonexistent") ..
    "/.flatpak/.boxwrap-apps/"

local function effectiveAccess (properties)
  local access = properties["pipewire.access"]
  local client_access = properties["pipewire.client.access"]
  if properties["pipewire.sec.flatpak"] then
    client_access = "flatpak"
  end
  if client_access ~= nil and client_access ~= "unrestricted" and
      (access == "unrestricted" or access == "default") then
    return client_access
  end
  return access
end

-- A Flatpak client without a usable app id cannot be told apart from a
-- boxwrap app: it is treated as one.
local function isBoxwrapApp (access, properties)
  if access ~= "flatpak" then
    return false
  end
  local app_id = properties["pipewire.access.portal.app_id"]
  if app_id == nil or not app_id:match ("^[%w_][%w_.-]*$") then
    return true
  end
  return GLib.access (marker_dir .. app_id, "f")
end

local function stockPermissions (access, properties)
  if rules then
    local mprops, matched = JsonUtils.match_rules_update_properties (
        rules, properties)
    if matched > 0 and mprops["default_permissions"] then
      return mprops["default_permissions"], mprops["access"]
    end
  end
  if access == "flatpak" and properties["media.category"] == "Manager" then
    return "all", "flatpak-manager"
  elseif access == "flatpak" or access == "restricted" then
    return "rx", access
  elseif access == "default" then
    return "all", access
  end
  return nil, nil
end

local function isCaptureClass (class)
  return class ~= nil and (class:find ("^Audio/Source") or
      class:find ("^Audio/Duplex") or class:find ("^Video/Source")) ~= nil
end

globals_om = ObjectManager { Interest { type = "GlobalProxy" } }

local function isHiddenNode (client_id, node)
  local props = node.properties or {}
  return isCaptureClass (props["media.class"]) and
      props["client.id"] ~= tostring (client_id)
end

-- What a boxwrap client gets on one object: nothing on capture nodes and
-- their ports (a port whose node is not known yet waits for it).
local function boxwrapPermission (client_id, global)
  local props = global.properties or {}
  local node_id = props["node.id"]
  if props["port.id"] ~= nil and node_id ~= nil then
    local node = globals_om:lookup {
      Constraint { "bound-id", "=", tonumber (node_id), type = "gobject" } }
    if node == nil or isHiddenNode (client_id, node) then
      return "-"
    end
    return "rx"
  end
  return isHiddenNode (client_id, global) and "-" or "rx"
end
clients_om = ObjectManager { Interest { type = "client" } }
boxwrap_clients = {}

local function grantBoxwrap (client)
  local id = client["bound-id"]
  local perms = { ["any"] = "-", [0] = "rx", [id] = "rx" }
  for global in globals_om:iterate () do
    perms[global["bound-id"]] = boxwrapPermission (id, global)
  end
  perms[id] = "rx"
  client:update_permissions (perms)
end

clients_om:connect ("object-added", function (om, client)
  local id = client["bound-id"]
  local properties = client["properties"]
  local access = effectiveAccess (properties)
  properties["access"] = access

  if isBoxwrapApp (access, properties) then
    log:info (client, "boxwrap app " ..
        tostring (properties["pipewire.access.portal.app_id"]) .. ", client " ..
        id .. ": rx on every object but capture nodes")
    boxwrap_clients[id] = client
    grantBoxwrap (client)
    client:update_properties { ["pipewire.access.effective"] = "boxwrap" }
    return
  end

  local perms, effective = stockPermissions (access, properties)
  if perms ~= nil then
    log:info (client, "Granting permissions to client " .. id .. " (access " ..
        tostring (effective or access) .. "): " .. perms)
    client:update_permissions { ["any"] = perms }
    client:update_properties {
      ["pipewire.access.effective"] = effective or access }
  else
    log:debug (client, "No rule for client " .. id .. " (access " ..
        tostring (access) .. ")")
  end
end)

clients_om:connect ("object-removed", function (om, client)
  boxwrap_clients[client["bound-id"]] = nil
end)

-- Objects that appear later: each boxwrap client sees it only once this
-- has decided, as its default is no access.
globals_om:connect ("object-added", function (om, global)
  local gid = global["bound-id"]
  for id, client in pairs (boxwrap_clients) do
    local perms = { [gid] = boxwrapPermission (id, global) }
    -- A node that arrives after its ports decides for them now.
    for port in om:iterate { Constraint { "node.id", "=", tostring (gid) } } do
      if (port.properties or {})["port.id"] ~= nil then
        perms[port["bound-id"]] = boxwrapPermission (id, port)
      end
    end
    client:update_permissions (perms)
  end
end)

globals_om:activate ()
clients_om:activate ()
