package auth_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// keyCounter is a go-redis hook for the per-node clients of a cluster
// client: it counts round trips that carry a key under prefix. Node clients
// also carry the cluster client's own traffic (CLUSTER SLOTS reloads,
// COMMAND, connection handshakes) at moments the test does not control;
// filtering by prefix leaves exactly the store's commands, including any
// MOVED or ASK retry, which commandCounter on the cluster client cannot see.
type keyCounter struct {
	prefix string
	n      atomic.Int64
}

func (c *keyCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *keyCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if c.mine(cmd) {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (c *keyCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			if c.mine(cmd) {
				c.n.Add(1) // one round trip, however many commands
				break
			}
		}
		return next(ctx, cmds)
	}
}

func (c *keyCounter) mine(cmd redis.Cmder) bool {
	for _, a := range cmd.Args() {
		if s, ok := a.(string); ok && strings.HasPrefix(s, c.prefix) {
			return true
		}
	}
	return false
}

// TestManagerOnRedisCluster runs the Manager's session life cycle on a real
// Redis Cluster, with users whose sessions live on different nodes.
func TestManagerOnRedisCluster(t *testing.T) {
	ctx := context.Background()
	c := redistest.Cluster(t)
	cc, ok := c.(*redis.ClusterClient)
	if !ok {
		t.Fatalf("redistest.Cluster returned %T, want *redis.ClusterClient", c)
	}
	prefix := redistest.Prefix(t)
	calls := &commandCounter{} // store calls, as the Manager makes them
	c.AddHook(calls)
	wire := &keyCounter{prefix: prefix} // what actually went to the nodes
	// The cluster has no replicas and no resharding happens, so the node
	// clients hooked here are all the test will ever use.
	if err := cc.ForEachShard(ctx, func(_ context.Context, n *redis.Client) error {
		n.AddHook(wire)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	const grace = 300 * time.Millisecond
	m := redisManager(t, c, prefix, func(c *auth.Config) { c.ReuseGrace = grace })

	// Users on different nodes, so no step passes only because everything
	// shares a node. Which node a user lands on is fixed by the user ID's
	// hash tag; the first session of each tells where.
	users := []auth.Principal{alice, {ID: "u2", Name: "bob"}, {ID: "u3", Name: "carol"}}
	pairs := make([]auth.TokenPair, len(users))
	nodes := map[string]bool{}
	for i, u := range users {
		pairs[i] = login(t, m, u, "")
		id, _ := authOK(t, m, pairs[i].AccessToken, "")
		n, err := cc.MasterForKey(ctx, prefix+"{"+id.SessionID[:8]+"}:s:"+id.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		nodes[n.Options().Addr] = true
	}
	if len(nodes) < 2 {
		t.Fatalf("users %v all on one node; pick users that spread", users)
	}

	t.Run("AuthenticateIsOneRoundTrip", func(t *testing.T) {
		for i, pair := range pairs {
			beforeCalls, beforeWire := calls.n.Load(), wire.n.Load()
			authOK(t, m, pair.AccessToken, "")
			gotCalls, gotWire := calls.n.Load()-beforeCalls, wire.n.Load()-beforeWire
			if gotCalls != 1 || gotWire != 1 {
				t.Fatalf("Authenticate for %s: %d client calls, %d node round trips; want 1 and 1", users[i].Name, gotCalls, gotWire)
			}
		}
	})

	t.Run("RefreshRotationAndReuse", func(t *testing.T) {
		refreshReuse(t, m, func() { time.Sleep(grace) })
	})

	t.Run("LogoutAll", func(t *testing.T) {
		bob := users[1]
		// pairs[1] is bob's first session; two more make three.
		bobs := []auth.TokenPair{pairs[1], login(t, m, bob, ""), login(t, m, bob, "")}
		for _, p := range bobs {
			authOK(t, m, p.AccessToken, "")
		}
		if err := m.LogoutAll(ctx, bob.ID); err != nil {
			t.Fatalf("LogoutAll: %v", err)
		}
		for i, p := range bobs {
			if _, _, err := m.Authenticate(ctx, p.AccessToken, ""); auth.ReasonOf(err) != auth.ReasonRevoked {
				t.Errorf("bob's session %d after LogoutAll: %v, want revoked", i, err)
			}
			if _, err := m.Refresh(ctx, p.RefreshToken, ""); auth.ReasonOf(err) != auth.ReasonRevoked {
				t.Errorf("bob's refresh %d after LogoutAll: %v, want revoked", i, err)
			}
		}
		// Other users, on their own slots, are untouched.
		authOK(t, m, pairs[2].AccessToken, "")
	})

	t.Run("Kickout", func(t *testing.T) {
		carol := users[2]
		if err := m.Kickout(ctx, carol.ID); err != nil {
			t.Fatalf("Kickout: %v", err)
		}
		_, _, err := m.Authenticate(ctx, pairs[2].AccessToken, "")
		wantReason(t, err, auth.ReasonKickedOut)
		_, err = m.Refresh(ctx, pairs[2].RefreshToken, "")
		wantReason(t, err, auth.ReasonKickedOut)
		// A new login after the kick-out works.
		authOK(t, m, login(t, m, carol, "").AccessToken, "")
	})
}
