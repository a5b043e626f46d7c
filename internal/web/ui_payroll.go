package web

func (s *Server) payrollRoutes() []route { return nil }
