// Package porticotest tests Portico applications in-process, the way
// Spring's MockMvc and Spring Security Test do: requests go through the
// whole stack (filters, firewall, mapping, interceptor chain, adapters,
// exception resolvers, views) without a socket, and fluent expectations
// check the response.
//
//	kit := porticotest.New(t, d)
//	kit.GET("/book/{id}", 7).As(porticotest.User{ID: "alice"}).Do().
//		Status(http.StatusOK).
//		JSON("$.data.title", "Dune")
//
// NewApp does the same for an fx application, started and stopped with
// the test, serving exactly the handler its portico.Server serves. A failed
// expectation prints the request, the response and the route's
// interceptor chain, like MockMvc's print(). Requests acting as a user
// carry a real token issued by the application's auth.Manager and pass
// the real login interceptor: there is no bypass to leave switched on.
// RunInterceptor unit-tests one interceptor and records what its hooks did.
//
// A Kit holds no global state; it is safe for concurrent use by parallel
// tests (use Kit.For to report to a subtest's testing.TB).
package porticotest
