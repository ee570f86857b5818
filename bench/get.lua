-- GET scenarios (petition page, count.json): count the answers by status.
-- No request() hook, so wrk sends its prebuilt request (least wrk CPU).
package.path = "bench/?.lua;" .. package.path
require "common"

function init(args) count_init() end

function response(status, headers, body)
  count_response(status, 200)
end
