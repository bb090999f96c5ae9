-- wrk script for bench/compare.py's wrk driver (wrk 4.1, LuaJIT).
--
--   wrk -t T -c C -d D --timeout 60s -s bench/wrk_cycle.lua http://127.0.0.1:PORT -- REQUESTS_FILE
--
-- REQUESTS_FILE has one request a line, tab-separated: METHOD, path (with its query string) and, for a
-- POST, the application/x-www-form-urlencoded body (which holds no tab or newline). GETs send
-- `Accept: */*`; POSTs send `Content-Type: application/x-www-form-urlencoded` and
-- `Accept: application/sparql-results+json`, with the query text made distinct per request: the body
-- gets an encoded "\n#<thread>-<counter>" appended (a comment line ending the query), so no cache can
-- answer a POST from an earlier one. Each wrk thread cycles through the list (thread n starts
-- at request n), counts every response whose status is not 200, and done() prints one line
-- `WRK_RESULT {json}` with the totals and the latency percentiles (microseconds) for compare.py.

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   local path = args[#args]  -- the requests file is the last argument (after `--`)
   prepared = {}
   for line in io.lines(path) do
      if line ~= "" then
         local method, target, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
         assert(method, "bad request line in " .. path .. ": " .. line)
         local headers = { Host = wrk.headers["Host"] }
         if method == "GET" then
            headers["Accept"] = "*/*"
            body = nil
         else
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Accept"] = "application/sparql-results+json"
         end
         prepared[#prepared + 1] = { method = method, target = target, headers = headers, body = body,
                                     fixed = body == nil and wrk.format(method, target, headers) or nil }
      end
   end
   assert(#prepared > 0, "no requests in " .. path)
   position = (id or 0) % #prepared  -- 0-based: the next request is prepared[position + 1]
   counter = 0
   non200 = 0
   statuses = {}
end

function request()
   local req = prepared[position + 1]
   position = (position + 1) % #prepared
   if req.fixed then
      return req.fixed
   end
   counter = counter + 1
   return wrk.format(req.method, req.target, req.headers, req.body .. "%0A%23" .. (id or 0) .. "-" .. counter)
end

function response(status, headers, body)
   if status ~= 200 then
      non200 = non200 + 1
      local key = tostring(status)
      statuses[key] = (statuses[key] or 0) + 1
   end
end

function done(summary, latency, requests)
   local non200_total = 0
   local by_status = {}
   for _, thread in ipairs(threads) do
      non200_total = non200_total + (thread:get("non200") or 0)
      for code, count in pairs(thread:get("statuses") or {}) do
         by_status[code] = (by_status[code] or 0) + count
      end
   end
   local codes = {}
   for code, count in pairs(by_status) do
      codes[#codes + 1] = string.format('"%s":%d', code, count)
   end
   local e = summary.errors
   io.write(string.format(
      'WRK_RESULT {"duration_us":%.0f,"requests":%.0f,"non200":%.0f,"statuses":{%s},' ..
      '"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f,' ..
      '"p50_us":%.1f,"p99_us":%.1f,"max_us":%.1f}\n',
      summary.duration, summary.requests, non200_total, table.concat(codes, ","),
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(99), latency.max))
end
