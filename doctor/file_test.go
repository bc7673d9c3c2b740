package doctor

import "os"

func readFile(p string) (string, error) {
	data, err := os.ReadFile(p)
	return string(data), err
}
