// k6 load test of a dynamic code's redirect (the public hot path): 200 requests/s for 3 minutes;
// fails when P99 > 50 ms at the edge or any redirect fails. The code's slug comes from SLUG.
// Run: k6 run -e BASE_URL=https://staging.example.com -e SLUG=<slug> deploy/load/redirects.js
import http from 'k6/http';
import { check } from 'k6';

export const options = {
  scenarios: {
    scans: {
      executor: 'constant-arrival-rate',
      rate: 200,
      timeUnit: '1s',
      duration: '3m',
      preAllocatedVUs: 50,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.001'],
    http_req_duration: ['p(99)<50'],
  },
};

const params = {
  redirects: 0,
  headers: {
    'user-agent':
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  },
};

export default function () {
  const res = http.get(`${__ENV.BASE_URL}/q/${__ENV.SLUG}`, params);
  check(res, { 'a 302 redirect': (r) => r.status === 302 && !!r.headers.Location });
}
