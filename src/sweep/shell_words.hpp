#pragma once
// Shell quoting for the commands a sweep prints and records: each line must paste into
// sh/bash (GNU parallel, a Slurm array) and run the same argv the sweep would exec.
#include <string>
#include <vector>

namespace mixprec {

// The word unchanged if it holds only [A-Za-z0-9_@%+=:,./-] (and is non-empty), else in
// single quotes with each ' written as '\''.
std::string shell_quote(const std::string& word);

// The words quoted and joined by single spaces.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace mixprec
