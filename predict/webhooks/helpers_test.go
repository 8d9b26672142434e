package webhooks

import (
	"context"
	"sync"
	"time"
)

// memStore is a Store in memory for the unit tests.
type memStore struct {
	mu       sync.Mutex
	subs     []Subscription
	dead     []DeadLetter
	disabled map[string]string
}

func newMemStore(subs ...Subscription) *memStore {
	return &memStore{subs: subs, disabled: map[string]string{}}
}

func (m *memStore) Subscriptions(context.Context) ([]Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Subscription, len(m.subs))
	copy(out, m.subs)
	for i := range out {
		if r, ok := m.disabled[out[i].ID]; ok {
			out[i].Disabled, out[i].DisabledReason = true, r
		}
	}
	return out, nil
}

func (m *memStore) Disable(_ context.Context, id, reason string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.disabled[id] = reason
	return nil
}

func (m *memStore) PutDeadLetter(_ context.Context, dl DeadLetter) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dead = append(m.dead, dl)
	return nil
}

func (m *memStore) QueuedReplays(context.Context) ([]DeadLetter, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	latest := map[string]DeadLetter{}
	for _, dl := range m.dead {
		latest[dl.MessageID] = dl
	}
	var out []DeadLetter
	for _, dl := range latest {
		if dl.State == DeadLetterQueued {
			out = append(out, dl)
		}
	}
	return out, nil
}

func (m *memStore) deadLetters() []DeadLetter {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]DeadLetter(nil), m.dead...)
}
