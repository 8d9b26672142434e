package predict

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// InstructionStore persists delivery instructions (chstore.Instructions):
// an instruction as it stands at a time, a later put of the same id
// replacing it.
type InstructionStore interface {
	PutInstruction(ctx context.Context, in schemas.Instruction, at time.Time) error
}

// InstructionSource gives the stored instructions created since a time,
// oldest first: what LoadInstructions reads at start.
type InstructionSource interface {
	Since(ctx context.Context, since time.Time, fn func(schemas.Instruction) error) error
}

// InstructionPublisher tells the carrier integration of an instruction
// and of its cancellation (ingest.KafkaInstructions).
type InstructionPublisher interface {
	PublishInstruction(ctx context.Context, in schemas.Instruction) error
}

// The defaults of delivery instructions.
const (
	// MaxRescheduleDays is how far ahead a reschedule may go, in calendar
	// days after the destination's today.
	MaxRescheduleDays = 14
	// rescheduleOffered is how many working days the options list for a
	// reschedule.
	rescheduleOffered = 5
	// deliveryDayStart and deliveryDayEnd are the local hours a
	// rescheduled day's window is bounded to.
	deliveryDayStart = 8 * time.Hour
	deliveryDayEnd   = 21 * time.Hour
	// maxIdempotencyKey bounds the Idempotency-Key header, in bytes.
	maxIdempotencyKey = 255
)

// instructionBook holds the instructions of the shipments in memory, by
// tracking number in order of creation, and serializes the writes of a
// number (its check of the idempotency key, the store, the publish) by a
// lock of its stripe.
type instructionBook struct {
	mu       sync.RWMutex
	byNumber map[string][]schemas.Instruction
	// unpublished are the instructions whose last publish failed, by id:
	// a retry of the request or the republisher (RunRepublish) publishes
	// them again.
	unpublished map[string]schemas.Instruction
	stripes     [32]sync.Mutex
}

func newInstructionBook() *instructionBook {
	return &instructionBook{byNumber: map[string][]schemas.Instruction{}, unpublished: map[string]schemas.Instruction{}}
}

// lock takes the write lock of a tracking number's stripe and returns
// its unlock.
func (b *instructionBook) lock(tn string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(tn))
	m := &b.stripes[h.Sum32()%uint32(len(b.stripes))]
	m.Lock()
	return m.Unlock
}

// put adds an instruction or replaces the one of its id; a cancelled
// one is never replaced by its pending self (a late copy of it).
func (b *instructionBook) put(in schemas.Instruction) {
	b.mu.Lock()
	defer b.mu.Unlock()
	list := b.byNumber[in.TrackingNumber]
	if i := slices.IndexFunc(list, func(x schemas.Instruction) bool { return x.ID == in.ID }); i >= 0 {
		if list[i].State == schemas.InstructionCancelled && in.State != schemas.InstructionCancelled {
			return
		}
		list[i] = in
		return
	}
	b.byNumber[in.TrackingNumber] = append(list, in)
}

func (b *instructionBook) setPublished(in schemas.Instruction, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ok {
		delete(b.unpublished, in.ID)
	} else {
		b.unpublished[in.ID] = in
	}
}

func (b *instructionBook) isUnpublished(id string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, ok := b.unpublished[id]
	return ok
}

// toRepublish are the instructions whose last publish failed.
func (b *instructionBook) toRepublish() []schemas.Instruction {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]schemas.Instruction, 0, len(b.unpublished))
	for _, in := range b.unpublished {
		out = append(out, in)
	}
	return out
}

// of returns a copy of the shipment's instructions, oldest first: those
// under its number and shipment key given since its first scan (a reused
// number's earlier shipments keep theirs).
func (b *instructionBook) of(sh *Shipment) []schemas.Instruction {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []schemas.Instruction
	for _, in := range b.byNumber[sh.TrackingNumber] {
		if in.ShipmentKey == sh.ShipmentKey && (len(sh.Scans) == 0 || !in.CreatedAt.Before(sh.Scans[0].Time)) {
			out = append(out, in)
		}
	}
	return out
}

// LoadInstructions reads the instructions created since a time into
// memory: serve calls it before it serves, since at least as far back
// as the live state holds shipments.
func (s *Server) LoadInstructions(ctx context.Context, src InstructionSource, since time.Time) error {
	n := 0
	err := src.Since(ctx, since, func(in schemas.Instruction) error {
		s.instructions.put(in)
		n++
		return nil
	})
	if err != nil {
		return fmt.Errorf("load instructions: %w", err)
	}
	s.log.Info("instructions loaded", "count", n, "since", since)
	return nil
}

// DefaultRepublishInterval is how often RunRepublish tries again the
// instructions stored but not published.
const DefaultRepublishInterval = 30 * time.Second

// RunRepublish publishes again, every interval until ctx ends, the
// instructions that were stored but whose publish failed, so that the
// carrier integration gets them without the client retrying.
func (s *Server) RunRepublish(ctx context.Context, every time.Duration) {
	if s.instrPub == nil {
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for _, in := range s.instructions.toRepublish() {
			unlock := s.instructions.lock(in.TrackingNumber)
			if s.instructions.isUnpublished(in.ID) {
				_ = s.publish(ctx, s.latest(in)) // a failure stays queued and is logged
			}
			unlock()
		}
	}
}

// latest is the instruction of in's id as the book now holds it (it may
// have been cancelled since its publish failed).
func (s *Server) latest(in schemas.Instruction) schemas.Instruction {
	s.instructions.mu.RLock()
	defer s.instructions.mu.RUnlock()
	for _, x := range s.instructions.byNumber[in.TrackingNumber] {
		if x.ID == in.ID {
			return x
		}
	}
	return in
}

// ApplyInstructions takes instructions given or cancelled through any
// server, as read from the instructions topic: a server shows and
// respects those another replica took. The request's digest, which the
// topic does not carry, is computed again from what the instruction asks.
func (s *Server) ApplyInstructions(ins []schemas.Instruction) {
	for _, in := range ins {
		if in.ID == "" || in.TrackingNumber == "" || !in.Type.Valid() {
			continue
		}
		if in.RequestHash == "" {
			in.RequestHash = requestHash(InstructionRequest{Type: in.Type, PickupPoint: in.PickupPoint, Date: in.Date, Address: in.Address})
		}
		s.instructions.put(in)
	}
}

// instructionStatus is where an instruction of a shipment stands:
// cancelled, acted on (a scan after it shows the carrier did what it
// asked, or ended the journey), else pending; with the time of the scan
// that acted on it.
func instructionStatus(in *schemas.Instruction, sh *Shipment) (string, *time.Time) {
	if in.State == schemas.InstructionCancelled {
		return string(schemas.InstructionCancelled), nil
	}
	for _, sc := range sh.Scans {
		if sc.Time.After(in.CreatedAt) && (slices.Contains(actedOnBy[in.Type], sc.Status) || sc.Status.Terminal()) {
			at := sc.Time.UTC()
			return InstructionActedOn, &at
		}
	}
	return string(schemas.InstructionPending), nil
}

// InstructionActedOn is the state of an instruction the carrier acted on.
const InstructionActedOn = "acted_on"

// activeInstruction is the shipment's newest instruction not cancelled,
// or nil: the one its ETA follows.
func activeInstruction(ins []schemas.Instruction) *schemas.Instruction {
	for i := len(ins) - 1; i >= 0; i-- {
		if ins[i].State != schemas.InstructionCancelled {
			return &ins[i]
		}
	}
	return nil
}
