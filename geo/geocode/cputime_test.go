package geocode

import "syscall"

// cpuSeconds is the CPU time this process has used, user and system:
// on a shared machine it measures a benchmark's own work, which the
// wall clock mixes with other processes' load.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
