package predict

import (
	"context"
	"errors"
)

// errDBBusy is the answer when MaxDBCalls calls are already out.
var errDBBusy = errors.New("too many database calls outstanding")

// withDeadline returns fn's result, or ctx's error as soon as ctx ends,
// whichever comes first: a driver that does not heed the context
// everywhere (a connection's handshake waits out its own dial timeout)
// cannot hold a request past its deadline. fn runs in a goroutine of its
// own that ends when fn returns, by the driver's own timeouts at the
// latest; a result that comes too late is dropped. Calls still out,
// abandoned ones included, are capped by slots: beyond it the call is
// refused at once, so a frozen database cannot pile up goroutines.
func withDeadline[T any](ctx context.Context, slots chan struct{}, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	if slots != nil {
		select {
		case slots <- struct{}{}:
		default:
			return zero, errDBBusy
		}
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1) // buffered: a late fn does not block
	go func() {
		if slots != nil {
			defer func() { <-slots }()
		}
		v, err := fn(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// lookup runs a database call of a request under the server's lookup
// timeout and its cap on calls out.
func lookup[T any](ctx context.Context, s *Server, fn func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, s.limits.LookupTimeout)
	defer cancel()
	return withDeadline(ctx, s.dbCalls, fn)
}
