// Package dispatcher is Portico's DispatcherServlet: an http.Handler that,
// for every request, runs the request firewall, finds the handler
// (httprouter trees, consulted most specific first, so /book/list beats
// /book/{id} as in Spring), takes
// the HandlerAdapter chosen for the route at registration, runs the
// route's interceptor chain around it, writes the result after PostHandle,
// turns errors into responses through exception resolvers, and runs
// AfterCompletion.
//
// As in Spring, interceptors do not run for requests no route serves: 404,
// 405 and automatic OPTIONS answers are decided during mapping. Filters
// (plain func(http.Handler) http.Handler middleware wrapped around the
// Dispatcher) see every request.
package dispatcher
