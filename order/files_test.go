package order

import "testing"

func TestFilesOf(t *testing.T) {
	items := func(states ...FileState) []*Item {
		var out []*Item
		for _, s := range states {
			out = append(out, &Item{FileState: s})
		}
		return out
	}
	for _, c := range []struct {
		items []*Item
		want  FilesSummary
	}{
		{nil, FilesReady},
		{items(FileNone), FilesReady},
		{items(FilePassed, FileNone), FilesReady},
		{items(FilePassed, FileAwaiting), FilesWaiting},
		{items(FileDownloading), FilesWaiting},
		{items(FileChecking, FilePassed), FilesWaiting},
		{items(FileChecking, FileFailed), FilesFailed},
		{items(FileFailed, FileAwaiting), FilesFailed},
	} {
		if got := FilesOf(c.items); got != c.want {
			var states []FileState
			for _, it := range c.items {
				states = append(states, it.FileState)
			}
			t.Errorf("FilesOf(%v) = %s, want %s", states, got, c.want)
		}
	}
}
