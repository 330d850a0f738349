package session_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/auth/session/sessiontest"
	"github.com/portico-go/portico/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// TestRedisCluster runs the store on a real Redis Cluster. Single-node
// Redis accepts any multi-key script; a cluster rejects one whose keys span
// slots (CROSSSLOT) and redirects commands sent to the wrong node, so this
// is the test that holds the hash-tag design to its promise. One cluster
// serves both subtests: starting one takes a couple of seconds.
func TestRedisCluster(t *testing.T) {
	t.Parallel()
	c := redistest.Cluster(t)
	cc, ok := c.(*redis.ClusterClient)
	if !ok {
		t.Fatalf("redistest.Cluster returned %T, want *redis.ClusterClient", c)
	}
	t.Run("Conformance", func(t *testing.T) {
		sessiontest.Run(t, func(t *testing.T) session.Store {
			s, err := session.NewRedis(c, session.RedisConfig{Prefix: redistest.Prefix(t)})
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
	t.Run("Layout", func(t *testing.T) { testClusterLayout(t, cc) })
}

// testClusterLayout reads back from every master the keys the store wrote
// and checks that each user's keys sit in one slot, on one node, while
// different users spread over several slots and nodes. Without the spread a
// design that works only because everything shares one slot (or one node)
// would pass the conformance suite.
func testClusterLayout(t *testing.T, c *redis.ClusterClient) {
	ctx := context.Background()
	prefix := redistest.Prefix(t)
	s, err := session.NewRedis(c, session.RedisConfig{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	// Fixed IDs keep the slots, and so the test, deterministic. Braces in
	// a user ID land in the user index key after the tag; they must not
	// move it to another slot.
	users := []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "{u9}", "a}b{c"}
	now := time.Now()
	want := map[string]map[string]bool{} // user -> keys the store must have written
	for _, u := range users {
		var ids []string
		for range 2 {
			rec, err := s.Create(ctx, newRecord(t, u, now, time.Hour), now.Add(time.Hour), 0)
			if err != nil {
				t.Fatalf("Create(%s): %v", u, err)
			}
			ids = append(ids, rec.ID)
		}
		// Revoking one session leaves a tombstone: all three kinds of key.
		if err := s.Revoke(ctx, ids[0], session.ReasonRevoked); err != nil {
			t.Fatalf("Revoke(%s): %v", u, err)
		}
		tag := ids[0][:8]
		if ids[1][:8] != tag {
			t.Fatalf("sessions of %s carry tags %s and %s, want one", u, tag, ids[1][:8])
		}
		base := prefix + "{" + tag + "}:"
		want[u] = map[string]bool{base + "t:" + ids[0]: true, base + "s:" + ids[1]: true, base + "u:" + u: true}
	}

	// Where each key really is: SCAN every master.
	var mu sync.Mutex
	node := map[string]string{} // key -> master address
	err = c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		iter := m.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			node[iter.Val()] = m.Options().Addr
			mu.Unlock()
		}
		return iter.Err()
	})
	if err != nil {
		t.Fatalf("SCAN masters: %v", err)
	}

	slots, nodes := map[int64]bool{}, map[string]bool{}
	for _, u := range users {
		var slot int64 = -1
		addr := ""
		for key := range want[u] {
			at, ok := node[key]
			if !ok {
				t.Fatalf("user %s: key %q not found on any master", u, key)
			}
			ks, err := c.ClusterKeySlot(ctx, key).Result()
			if err != nil {
				t.Fatalf("CLUSTER KEYSLOT %q: %v", key, err)
			}
			if slot == -1 {
				slot, addr = ks, at
			}
			if ks != slot || at != addr {
				t.Fatalf("user %s: key %q in slot %d on %s, another key in slot %d on %s; want one slot", u, key, ks, at, slot, addr)
			}
		}
		slots[slot], nodes[addr] = true, true
	}
	// Nothing else under the prefix: the layout is exactly as documented.
	wanted := map[string]bool{}
	for _, keys := range want {
		for key := range keys {
			wanted[key] = true
		}
	}
	for key := range node {
		if !wanted[key] {
			t.Errorf("unexpected key %q", key)
		}
	}
	if len(slots) < 2 || len(nodes) < 2 {
		t.Fatalf("%d users landed in %d slots on %d nodes; want them spread over several", len(users), len(slots), len(nodes))
	}
	t.Logf("%d users: %d slots on %d nodes", len(users), len(slots), len(nodes))
}
