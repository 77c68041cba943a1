-- wrk script for bench/serve.sh: POST /api/v1/whatif with dimension weights that change from one
-- request to the next (0.0–4.9), as the dashboard's sliders send them.
local n = 0
local headers = { ["Content-Type"] = "application/json" }

request = function()
  n = n + 1
  local body = string.format('{"weights":{"crime":%.1f,"terrorism":%.1f,"cyber":%.1f,"road":%.1f}}',
    (n % 50) / 10, ((n * 7) % 50) / 10, ((n * 13) % 50) / 10, 1.0)
  return wrk.format("POST", "/api/v1/whatif", headers, body)
end
