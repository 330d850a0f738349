package config_test

import (
	"strings"
	"testing"
)

// FuzzParse: whatever a variable holds, Parse either accepts it or
// returns an error naming that variable; it never panics.
func FuzzParse(f *testing.F) {
	vars := []string{"APP_ACCESS_TTL", "APP_MAX_SESSIONS", "APP_READ_TIMEOUT", "APP_MAX_BODY_BYTES", "APP_BIND_IP", "APP_REDIS_PREFIX", "APP_JWT_SECRET"}
	f.Add(0, "15m")
	f.Add(1, "-3")
	f.Add(3, "1e9")
	f.Add(4, "yes")
	f.Add(5, "{x}")
	f.Add(6, "short")
	f.Fuzz(func(t *testing.T, i int, val string) {
		if i < 0 {
			i = -i
		}
		name := vars[i%len(vars)]
		_, err := load(nil, map[string]string{name: val})
		if err != nil && !strings.Contains(err.Error(), name) {
			t.Fatalf("%s=%q: error %q does not name the variable", name, val, err)
		}
	})
}
