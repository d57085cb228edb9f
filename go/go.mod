module shmdev.invalid/shmdev

go 1.19
