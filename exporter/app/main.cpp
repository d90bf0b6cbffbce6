#include "exporter/app/daemon.hpp"

int main(int argc, char** argv) { return msgwatch::run_daemon({argv + 1, argv + argc}); }
