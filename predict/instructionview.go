package predict

import (
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// instructed is the journey as an instruction makes it: its destination
// the new address of a redirect, the point of a hold, the origin for a
// return; j itself otherwise.
func instructed(j *model.Journey, in *schemas.Instruction) *model.Journey {
	if in == nil {
		return j
	}
	if dest, ok := in.Destination(j.Origin); ok {
		c := *j
		c.Destination = dest
		return &c
	}
	return j
}

// boundToDay applies a reschedule to a window: each bound moved into the
// delivery hours of the day asked for, at the local offset given.
func boundToDay(w *Window, in *schemas.Instruction, offsetMinutes int) {
	if in == nil || in.Type != schemas.InstructionReschedule {
		return
	}
	day, err := time.Parse(time.DateOnly, in.Date)
	if err != nil {
		return // checked when given
	}
	y, m, d := day.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, time.FixedZone("", offsetMinutes*60))
	from, to := midnight.Add(deliveryDayStart).UTC(), midnight.Add(deliveryDayEnd).UTC()
	for _, t := range []*time.Time{&w.P10, &w.P50, &w.P90, &w.P95Commit} {
		switch {
		case t.Before(from):
			*t = from
		case t.After(to):
			*t = to
		}
	}
}

// expectedEvent is what the ETA is the time of under an instruction: the
// parcel available at the point for a hold, back with the sender for a
// return, else delivered.
func expectedEvent(in *schemas.Instruction) schemas.Status {
	switch in.Type {
	case schemas.InstructionHoldAtLocation:
		return schemas.StatusAvailableForPickup
	case schemas.InstructionReturnToSender:
		return schemas.StatusReturnedToSender
	}
	return schemas.StatusDelivered
}

// instructedEstimate is the latest estimate under the shipment's active
// instruction: computed from the journey as the instruction makes it,
// and changed by the instruction when it came after news (the newest
// scan, or the model that took over since).
func instructedEstimate(j *model.Journey, m *model.Model, latest *Estimate, in *schemas.Instruction, news time.Time) *Estimate {
	if in == nil || latest == nil {
		return latest
	}
	e := estimateAt(instructed(j, in), latest.Scans-1, m)
	e.ChangedBy = latest.ChangedBy
	boundToDay(&e.Window, in, j.Scans[latest.Scans-1].OffsetMinutes)
	if in.CreatedAt.After(news) {
		e.ChangedBy = ChangedByInstruction
	}
	return e
}

// instructionViews are every instruction of the shipment, oldest first.
func (s *Server) instructionViews(sh *Shipment, ins []schemas.Instruction) []InstructionView {
	out := make([]InstructionView, 0, len(ins))
	for i := range ins {
		out = append(out, viewOf(&ins[i], sh))
	}
	return out
}
