package exceptions

import (
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/model"
)

// WorkingSince is the working time of a country from `from` to `to`: the
// hours of its working days (Monday to Friday but its holidays), read at
// the local offset offsetMinutes, so a weekend or a holiday does not
// count as silence. It is the clock the model's leg dwells are learned on
// (model.WorkingHours).
func WorkingSince(country string, offsetMinutes int, from, to time.Time) time.Duration {
	return model.WorkingHours(strings.ToUpper(country), offsetMinutes, from, to)
}

// AddWorking is the instant `work` of working time after from (see
// WorkingSince); at most a year of calendar days is walked.
func AddWorking(country string, offsetMinutes int, from time.Time, work time.Duration) time.Time {
	return model.AddWorkingHours(strings.ToUpper(country), offsetMinutes, from, work)
}
