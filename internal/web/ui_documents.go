package web

func (s *Server) documentRoutes() []route { return nil }
