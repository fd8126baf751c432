// An ordinary C++ program: the C headers through <cstring> and friends.
#include <cstdio>
#include <cstring>
#include <csignal>
#include <pthread.h>
#include <string>
#include <thread>

int
main()
{
	std::string s = "linux";
	int n = 0;
	std::thread t([&] { n = (int) std::strlen(s.c_str()); });
	t.join();
	union sigval v;
	v.sival_int = 3;
	std::printf("%d %d\n", n, v.sival_int);
	return 0;
}
