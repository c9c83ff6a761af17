module github.com/gpupass/gpupass/testdata/hosts

go 1.26
