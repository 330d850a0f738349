package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// ClusterAddrEnv names the environment variable holding a comma-separated
// list of seed addresses of an existing Redis Cluster for Cluster to use.
const ClusterAddrEnv = "REDIS_CLUSTER_ADDRS"

const (
	// clusterNodes is the number of masters Cluster starts: the fewest
	// redis-cli accepts, and enough for keys to spread over several nodes.
	clusterNodes = 3
	// clusterTimeout bounds creating the cluster and waiting for every node
	// to report cluster_state:ok.
	clusterTimeout = 20 * time.Second
	// busOffset is how far above its client port a node listens for the
	// cluster bus; redis-server fixes it unless told otherwise (Redis 7+).
	busOffset = 10000
)

// Cluster returns a cluster client, closed at cleanup, for a Redis Cluster
// of three masters and no replicas started for the test (without
// persistence) and stopped at cleanup. With REDIS_CLUSTER_ADDRS set it
// connects to that cluster instead; tests sharing one must keep their keys
// apart with Prefix. It skips the test when redis-server or redis-cli is not
// installed.
//
// The client is a *redis.ClusterClient; tests that need per-node access
// (ForEachMaster) may assert to it.
func Cluster(t testing.TB) redis.UniversalClient {
	t.Helper()
	addrs := ClusterAddrs(t)
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// ClusterAddrs returns the node addresses of a Redis Cluster for this test:
// REDIS_CLUSTER_ADDRS split at commas if set, else those of a three-master
// cluster started for the test as Cluster describes.
func ClusterAddrs(t testing.TB) []string {
	t.Helper()
	if addrs := os.Getenv(ClusterAddrEnv); addrs != "" {
		return strings.Split(addrs, ",")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skipf("redistest: redis-server not installed (%v) and %s unset; the cluster test needs both redis-server and redis-cli", err, ClusterAddrEnv)
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skipf("redistest: redis-cli not installed (%v; Debian package redis-tools) and %s unset; it is needed to create the cluster", err, ClusterAddrEnv)
	}
	nodes := make([]*Instance, clusterNodes)
	addrs := make([]string, clusterNodes)
	for i := range nodes {
		port, err := clusterPort()
		if err != nil {
			t.Fatalf("redistest: %v", err)
		}
		dir := t.TempDir()
		nodes[i] = start(t, bin, port, []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, "nodes-"+strconv.Itoa(port)+".conf"),
		})
		addrs[i] = nodes[i].Addr()
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterTimeout)
	defer cancel()
	create := exec.CommandContext(ctx, cli, append(append([]string{"--cluster", "create"}, addrs...),
		"--cluster-replicas", "0", "--cluster-yes")...)
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("redistest: redis-cli --cluster create: %v\n%s%s", err, out, clusterLogs(nodes))
	}
	if err := waitClusterOK(ctx, addrs); err != nil {
		t.Fatalf("redistest: %v%s", err, clusterLogs(nodes))
	}
	return addrs
}

// waitClusterOK polls CLUSTER INFO on every node until each reports
// cluster_state:ok. redis-cli returns once the nodes have met, but a node
// still answers CLUSTERDOWN until its own view covers all slots; a client
// reaching it earlier would fail for reasons that have nothing to do with
// the code under test.
func waitClusterOK(ctx context.Context, addrs []string) error {
	for _, addr := range addrs {
		c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		err := func() error {
			defer c.Close()
			for {
				info, err := c.ClusterInfo(ctx).Result()
				if err == nil && strings.Contains(info, "cluster_state:ok") {
					return nil
				}
				if ctx.Err() != nil {
					if err == nil {
						err = errors.New(strings.TrimSpace(info))
					}
					return fmt.Errorf("cluster node %s not ok within %v: %w", addr, clusterTimeout, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// clusterLogs returns the nodes' logs, for failure messages.
func clusterLogs(nodes []*Instance) string {
	var b strings.Builder
	for _, n := range nodes {
		out, _ := os.ReadFile(filepath.Join(n.dir, "redis.log"))
		fmt.Fprintf(&b, "\n--- %s redis.log:\n%s", n.Addr(), out)
	}
	return b.String()
}

// clusterPort returns a free port whose cluster bus port (port+10000) is
// free too and still a valid port. Like freePort it can lose a race with
// another process, which shows up as a start failure.
func clusterPort() (int, error) {
	const attempts = 100
	for range attempts {
		port, err := freePort()
		if err != nil {
			return 0, err
		}
		if port+busOffset > 65535 {
			continue
		}
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+busOffset))
		if err != nil {
			continue
		}
		_ = l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port with a free cluster bus port after %d attempts", attempts)
}
