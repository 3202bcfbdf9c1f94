package artwork

// Started is how many child processes i has started.
func (i *Isolated) Started() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.started
}

// KillIdle kills i's idle children's processes behind its back, as the
// kernel or an operator might; with wait, it waits until i could know.
func (i *Isolated) KillIdle(wait bool) int {
	i.mu.Lock()
	defer i.mu.Unlock()
	for _, c := range i.idle {
		c.cmd.Process.Kill()
		if wait {
			<-c.exited
		}
	}
	return len(i.idle)
}
