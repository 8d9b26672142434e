package live

import (
	"fmt"
	"hash/fnv"
)

// Ownership names the partitions of the normalized topic whose numbers a
// replica holds, when one copy of the state no longer fits one replica.
// The zero value owns every number (a full copy).
type Ownership struct {
	// Of is the topic's partition count; Owned the partitions held.
	Of    int
	Owned []int
}

func (o Ownership) check() error {
	if o.Of == 0 && len(o.Owned) == 0 {
		return nil
	}
	if o.Of <= 0 || len(o.Owned) == 0 {
		return fmt.Errorf("ownership: %d partitions of %d: name the owned partitions and their count", len(o.Owned), o.Of)
	}
	for _, p := range o.Owned {
		if p < 0 || p >= o.Of {
			return fmt.Errorf("ownership: partition %d out of 0..%d", p, o.Of-1)
		}
	}
	return nil
}

// All reports whether every partition is owned.
func (o Ownership) All() bool { return o.Of == 0 }

// Owns reports whether the number's partition is owned.
func (o Ownership) Owns(trackingNumber string) bool {
	if o.Of == 0 {
		return true
	}
	p := Partition(trackingNumber, o.Of)
	for _, q := range o.Owned {
		if p == q {
			return true
		}
	}
	return false
}

// Partition is the partition of n that the normalized topic's writer
// (kafka-go's Hash balancer, keyed by tracking number) sends a number's
// events to: FNV-1a of the key, as a signed 32-bit value, modulo n, made
// positive (Sarama's hash partitioner).
func Partition(trackingNumber string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(trackingNumber))
	p := int32(h.Sum32()) % int32(n)
	if p < 0 {
		p = -p
	}
	return int(p)
}
