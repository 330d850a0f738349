// Package bench is Portico's benchmark suite: routing, interceptor chains,
// registry scaling, pattern matching and the login check, each measured
// side by side with raw httprouter, gin, echo and chi doing the same work.
// It is a module of its own so that none of the peers ever becomes a
// dependency of Portico. run.sh runs it and writes docs/benchmarks.md;
// smoke.sh runs every benchmark once, for CI.
package bench
