module shmdev.invalid/examples

go 1.19

require shmdev.invalid/shmdev v0.0.0

replace shmdev.invalid/shmdev => ../../go
