//! Task graphs: which tasks a direct workflow starts with and reaches, and `requires`
//! cycles in reverse workflows. Tasks are indices; `edges[i]` lists the tasks `i` leads to.

/// Start tasks (no inbound transition, as Mistral defines them) and the tasks none of them
/// leads to.
pub fn reachability(edges: &[Vec<usize>]) -> (Vec<usize>, Vec<usize>) {
    let n = edges.len();
    let mut inbound = vec![false; n];
    for targets in edges {
        for &t in targets {
            inbound[t] = true;
        }
    }
    let starts: Vec<usize> = (0..n).filter(|&i| !inbound[i]).collect();
    let mut seen = vec![false; n];
    let mut stack = starts.clone();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        stack.extend(edges[i].iter().copied().filter(|&t| !seen[t]));
    }
    (starts, (0..n).filter(|&i| !seen[i]).collect())
}

/// Every cycle closed by a back edge of a depth-first search, as the task path from the
/// first task of the cycle to the one whose edge closes it.
pub fn cycles(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    fn visit(
        i: usize,
        edges: &[Vec<usize>],
        marks: &mut [Mark],
        path: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        marks[i] = Mark::OnPath;
        path.push(i);
        for &t in &edges[i] {
            match marks[t] {
                Mark::New => visit(t, edges, marks, path, out),
                Mark::OnPath => {
                    let from = path.iter().position(|&p| p == t).unwrap_or(0);
                    out.push(path[from..].to_vec());
                }
                Mark::Done => {}
            }
        }
        path.pop();
        marks[i] = Mark::Done;
    }
    let mut marks = vec![Mark::New; edges.len()];
    let mut out = Vec::new();
    for i in 0..edges.len() {
        if marks[i] == Mark::New {
            visit(i, edges, &mut marks, &mut Vec::new(), &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn islands_are_unreachable() {
        // 0 -> 1; 2 <-> 3 form an island no start task reaches.
        let edges = vec![vec![1], vec![], vec![3], vec![2]];
        assert_eq!(reachability(&edges), (vec![0], vec![2, 3]));
    }

    #[test]
    fn finds_cycles() {
        let edges = vec![vec![1], vec![2], vec![0], vec![]];
        assert_eq!(cycles(&edges), vec![vec![0, 1, 2]]);
        assert!(cycles(&[vec![1], vec![]]).is_empty());
    }
}
