-- wrk script for bench/serve.sh's long run: the scores, one country's profile and a what-if in turn.
local n = 0
local headers = { ["Content-Type"] = "application/json" }

request = function()
  n = n + 1
  local k = n % 3
  if k == 0 then
    return wrk.format("GET", "/api/v1/scores")
  elseif k == 1 then
    return wrk.format("GET", "/api/v1/units/CHN")
  end
  local body = string.format('{"weights":{"crime":%.1f,"cyber":%.1f}}', (n % 50) / 10, ((n * 7) % 50) / 10)
  return wrk.format("POST", "/api/v1/whatif", headers, body)
end
