package predict

import "context"

// withDeadline returns fn's result, or ctx's error as soon as ctx ends,
// whichever comes first: a driver that does not heed the context
// everywhere (a connection's handshake waits out its own dial timeout)
// cannot hold a request past its deadline. fn runs in a goroutine of its
// own that ends when fn returns, by the driver's own timeouts at the
// latest; a result that comes too late is dropped.
func withDeadline[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1) // buffered: a late fn does not block
	go func() {
		v, err := fn(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
